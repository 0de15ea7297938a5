/** Edits of a little-endian TIFF's georeferencing in place of a real server's, for answers made up front. */

/** The value offset and count of tag `tag` in the first IFD. */
export function tiffTag(tiff: Buffer, tag: number): {offset: number; count: number} {
	if (tiff.toString('latin1', 0, 2) !== 'II') throw new Error('not a little-endian TIFF');
	const ifd = tiff.readUInt32LE(4);
	for (let index = 0; index < tiff.readUInt16LE(ifd); index++) {
		const at = ifd + 2 + index * 12;
		if (tiff.readUInt16LE(at) === tag) return {offset: tiff.readUInt32LE(at + 8), count: tiff.readUInt32LE(at + 4)};
	}
	throw new Error(`no tag ${tag}`);
}

const modelPixelScale = 33550;
const modelTiepoint = 33922;
const geoKeyDirectory = 34735;
const projectedCsTypeGeoKey = 3072;

/** A copy whose tie point and pixel scale put it at `bbox` (width × height pixels). */
export function placedAt(
	tiff: Buffer,
	bbox: {xmin: number; ymin: number; xmax: number; ymax: number},
	width: number,
	height: number,
): Buffer {
	const placed = Buffer.from(tiff);
	const scale = tiffTag(placed, modelPixelScale).offset;
	placed.writeDoubleLE((bbox.xmax - bbox.xmin) / width, scale);
	placed.writeDoubleLE((bbox.ymax - bbox.ymin) / height, scale + 8);
	const tiepoint = tiffTag(placed, modelTiepoint).offset;
	placed.writeDoubleLE(bbox.xmin, tiepoint + 24);
	placed.writeDoubleLE(bbox.ymax, tiepoint + 32);
	return placed;
}

/** A copy whose tie point is `metres` further east. */
export function movedEast(tiff: Buffer, metres: number): Buffer {
	const moved = Buffer.from(tiff);
	const tiepoint = tiffTag(moved, modelTiepoint).offset;
	moved.writeDoubleLE(moved.readDoubleLE(tiepoint + 24) + metres, tiepoint + 24);
	return moved;
}

/** A copy that names another projected CRS in its GeoKeyDirectory. */
export function inProjectedCrs(tiff: Buffer, code: number): Buffer {
	const edited = Buffer.from(tiff);
	const {offset, count} = tiffTag(edited, geoKeyDirectory);
	for (let key = offset + 8; key < offset + count * 2; key += 8) {
		if (edited.readUInt16LE(key) === projectedCsTypeGeoKey) {
			edited.writeUInt16LE(code, key + 6);
			return edited;
		}
	}
	throw new Error('no ProjectedCSTypeGeoKey');
}
