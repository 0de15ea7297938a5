/**
 * The head of a Cloud-Optimized GeoTIFF as GDAL's COG driver lays it out and its validator
 * (validate_cloud_optimized_geotiff.py) checks it: the TIFF header, GDAL's "ghost" structural metadata
 * right after it, then the IFD of the full resolution and those of the overviews, each with its
 * out-of-line values, all before the first tile. Classic TIFF, or BigTIFF when the file would pass 4 GiB.
 *
 * The ghost keys promise what the writer does: IFDS_BEFORE_DATA; ROW_MAJOR blocks within each image;
 * each block preceded by its size as a uint32 (SIZE_AS_UINT4) and followed by its last 4 bytes again
 * (LAST_4_BYTES_REPEATED), so a reader that fetched a tile can check it is whole. GDAL reports
 * LAYOUT=COG only when all of them are there. "NO\n " leaves GDAL room to rewrite it "YES\n" in place.
 */
import {TiffType, type TiffTag} from './tiff-writer.js';

const ghostBody = [
	'LAYOUT=IFDS_BEFORE_DATA',
	'BLOCK_ORDER=ROW_MAJOR',
	'BLOCK_LEADER=SIZE_AS_UINT4',
	'BLOCK_TRAILER=LAST_4_BYTES_REPEATED',
	'KNOWN_INCOMPATIBLE_EDITION=NO\n ',
].join('\n');
const ghost = `GDAL_STRUCTURAL_METADATA_SIZE=${String(ghostBody.length).padStart(6, '0')} bytes\n${ghostBody}`;

/** Bytes before a block's data and after it (see the header). */
export const blockLeaderBytes = 4;
export const blockTrailerBytes = 4;

const LONG8 = 16;
type DirectoryTag = Omit<TiffTag, 'type'> & {type: TiffTag['type'] | typeof LONG8};
const typeSize: Record<DirectoryTag['type'], number> = {1: 1, 2: 1, 3: 2, 4: 4, 12: 8, 16: 8};

const Tag = {
	NewSubfileType: 254,
	ImageWidth: 256,
	ImageLength: 257,
	BitsPerSample: 258,
	Compression: 259,
	SamplesPerPixel: 277,
	PlanarConfiguration: 284,
	TileWidth: 322,
	TileLength: 323,
	TileOffsets: 324,
	TileByteCounts: 325,
	SampleFormat: 339,
} as const;
const adobeDeflate = 8;
const reducedResolution = 1;

/** One image of the pyramid: its size, its own tags and where its tiles are. */
export type CogImage = {
	width: number;
	height: number;
	/** Tags of this image besides the layout's (palette, NoData; the georeferencing on the full resolution). */
	tags: TiffTag[];
	/** Offsets of the tiles' data from the start of the file, row-major. */
	tileOffsets: ArrayLike<number>;
	tileByteCounts: ArrayLike<number>;
};

/** Classic TIFF and BigTIFF differ in the sizes of the header, entry counts, entries, offsets and inline values. */
type Format = {
	bigTiff: boolean;
	header: number;
	countBytes: number;
	entryBytes: number;
	bytesOfNext: number;
	inline: number;
};
const classic: Format = {bigTiff: false, header: 8, countBytes: 2, entryBytes: 12, bytesOfNext: 4, inline: 4};
const big: Format = {bigTiff: true, header: 16, countBytes: 8, entryBytes: 20, bytesOfNext: 8, inline: 8};

/** The directories of 8-bit single-band deflate tiles of `tileSize`, the full resolution first. */
function directories(images: CogImage[], tileSize: number, format: Format): DirectoryTag[][] {
	return images.map((image, level) => {
		const tags: DirectoryTag[] = [
			...image.tags,
			{tag: Tag.ImageWidth, type: TiffType.LONG, values: [image.width]},
			{tag: Tag.ImageLength, type: TiffType.LONG, values: [image.height]},
			{tag: Tag.BitsPerSample, type: TiffType.SHORT, values: [8]},
			{tag: Tag.Compression, type: TiffType.SHORT, values: [adobeDeflate]},
			{tag: Tag.SamplesPerPixel, type: TiffType.SHORT, values: [1]},
			{tag: Tag.PlanarConfiguration, type: TiffType.SHORT, values: [1]},
			{tag: Tag.TileWidth, type: TiffType.SHORT, values: [tileSize]},
			{tag: Tag.TileLength, type: TiffType.SHORT, values: [tileSize]},
			{tag: Tag.TileOffsets, type: format.bigTiff ? LONG8 : TiffType.LONG, values: image.tileOffsets},
			{tag: Tag.TileByteCounts, type: TiffType.LONG, values: image.tileByteCounts},
			{tag: Tag.SampleFormat, type: TiffType.SHORT, values: [1]},
		];
		if (level > 0) tags.push({tag: Tag.NewSubfileType, type: TiffType.LONG, values: [reducedResolution]});
		return tags.sort((a, b) => a.tag - b.tag);
	});
}

function count(tag: DirectoryTag): number {
	return typeof tag.values === 'string' ? tag.values.length + 1 : tag.values.length;
}

function valueBytes(tag: DirectoryTag): number {
	return count(tag) * typeSize[tag.type];
}

function even(n: number): number {
	return n + (n & 1);
}

/** Where the first IFD starts: after the header and the ghost area, on a word boundary. */
function firstIfd(format: Format): number {
	return even(format.header + ghost.length);
}

function directoryBytes(tags: DirectoryTag[], format: Format): number {
	const outOfLine = tags.reduce((sum, tag) => sum + (valueBytes(tag) > format.inline ? even(valueBytes(tag)) : 0), 0);
	return format.countBytes + tags.length * format.entryBytes + format.bytesOfNext + outOfLine;
}

/**
 * The size of the head (header, ghost area, every IFD): the tiles' data starts there. It depends on the
 * number of tiles only, not on their offsets, so the offsets can be computed from it.
 */
export function cogHeadBytes(images: Omit<CogImage, 'tileOffsets'>[], tileSize: number, bigTiff: boolean): number {
	const format = bigTiff ? big : classic;
	const placeholders = images.map((image) => ({...image, tileOffsets: image.tileByteCounts}));
	return directories(placeholders, tileSize, format).reduce(
		(at, tags) => at + directoryBytes(tags, format),
		firstIfd(format),
	);
}

/** The head's bytes; `cogHeadBytes` long. */
export function cogHead(images: CogImage[], tileSize: number, bigTiff: boolean): Uint8Array {
	const format = bigTiff ? big : classic;
	const dirs = directories(images, tileSize, format);
	const out = new Uint8Array(dirs.reduce((at, tags) => at + directoryBytes(tags, format), firstIfd(format)));
	const view = new DataView(out.buffer);
	out.set([0x49, 0x49]);
	if (bigTiff) {
		view.setUint16(2, 43, true);
		view.setUint16(4, 8, true);
		view.setUint16(6, 0, true);
	} else view.setUint16(2, 42, true);
	for (let i = 0; i < ghost.length; i++) out[format.header + i] = ghost.charCodeAt(i);
	let at = firstIfd(format);
	writeOffset(view, format.header - format.bytesOfNext, at, format);
	dirs.forEach((tags, index) => {
		const next = at + directoryBytes(tags, format);
		writeDirectory(view, at, tags, format, index < dirs.length - 1 ? next : 0);
		at = next;
	});
	return out;
}

function writeDirectory(view: DataView, at: number, tags: DirectoryTag[], format: Format, next: number): void {
	if (format.bigTiff) view.setBigUint64(at, BigInt(tags.length), true);
	else view.setUint16(at, tags.length, true);
	const entries = at + format.countBytes;
	let values = entries + tags.length * format.entryBytes + format.bytesOfNext;
	tags.forEach((tag, i) => {
		const entry = entries + i * format.entryBytes;
		view.setUint16(entry, tag.tag, true);
		view.setUint16(entry + 2, tag.type, true);
		const countAt = entry + 4;
		const valueAt = countAt + (format.bigTiff ? 8 : 4);
		if (format.bigTiff) view.setBigUint64(countAt, BigInt(count(tag)), true);
		else view.setUint32(countAt, count(tag), true);
		if (valueBytes(tag) <= format.inline) {
			writeValues(view, valueAt, tag);
			return;
		}
		writeOffset(view, valueAt, values, format);
		writeValues(view, values, tag);
		values += even(valueBytes(tag));
	});
	writeOffset(view, entries + tags.length * format.entryBytes, next, format);
}

function writeOffset(view: DataView, at: number, offset: number, format: Format): void {
	if (format.bigTiff) view.setBigUint64(at, BigInt(offset), true);
	else view.setUint32(at, offset, true);
}

function writeValues(view: DataView, at: number, tag: DirectoryTag): void {
	if (typeof tag.values === 'string') {
		for (let i = 0; i < tag.values.length; i++) view.setUint8(at + i, tag.values.charCodeAt(i) & 0x7f);
		view.setUint8(at + tag.values.length, 0);
		return;
	}
	const size = typeSize[tag.type];
	for (let i = 0; i < tag.values.length; i++) {
		const value = tag.values[i];
		const p = at + i * size;
		if (tag.type === TiffType.BYTE) view.setUint8(p, value);
		else if (tag.type === TiffType.SHORT) view.setUint16(p, value, true);
		else if (tag.type === TiffType.LONG) view.setUint32(p, value, true);
		else if (tag.type === LONG8) view.setBigUint64(p, BigInt(value), true);
		else view.setFloat64(p, value, true);
	}
}
