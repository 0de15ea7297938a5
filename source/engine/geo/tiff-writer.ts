/**
 * A small baseline TIFF writer: one image, classic (32-bit offsets) little-endian TIFF, strips,
 * uncompressed or deflate. It writes exactly the tags it is given.
 *
 * Why not geotiff.js's `writeArrayBuffer`: in geotiff 3.0.5 it has no field type for ColorMap
 * (tag 320, "unknown type of tag"), reserves a fixed 1000 bytes for the IFD (a 256-entry palette
 * alone needs 1536), and encodes one value at a time through a fresh ArrayBuffer (~0.7 s for a
 * 512×512 RGB tile). geotiff.js stays the reader.
 */
import {promisify} from 'node:util';
import {deflate} from 'node:zlib';

const deflateAsync = promisify(deflate);

export const TiffType = {BYTE: 1, ASCII: 2, SHORT: 3, LONG: 4, DOUBLE: 12} as const;
type TiffTypeCode = (typeof TiffType)[keyof typeof TiffType];
const typeSize: Record<TiffTypeCode, number> = {1: 1, 2: 1, 3: 2, 4: 4, 12: 8};

export type TiffTag = {tag: number; type: TiffTypeCode; values: ArrayLike<number> | string};

export type TiffImage = {
	width: number;
	height: number;
	/** Samples per pixel, interleaved (PlanarConfiguration 1). */
	samples: number;
	/** 16-bit unsigned for what emulates 16-bit imagery services. */
	data: Uint8Array | Uint16Array | Float32Array;
	compression: 'none' | 'deflate';
	/** Image-specific tags (photometric, colour map, georeferencing ...); layout tags are added here. */
	tags: TiffTag[];
};

const Tag = {
	ImageWidth: 256,
	ImageLength: 257,
	BitsPerSample: 258,
	Compression: 259,
	StripOffsets: 273,
	SamplesPerPixel: 277,
	RowsPerStrip: 278,
	StripByteCounts: 279,
	PlanarConfiguration: 284,
	Predictor: 317,
	SampleFormat: 339,
} as const;

const targetStripBytes = 64 * 1024;

export async function encodeTiff(image: TiffImage): Promise<Uint8Array> {
	const {width, height, samples, data} = image;
	if (data.length !== width * height * samples) {
		throw new Error(`TIFF data has ${data.length} samples, expected ${width}×${height}×${samples}`);
	}
	const bytesPerSample = data.BYTES_PER_ELEMENT;
	const rowBytes = width * samples * bytesPerSample;
	const rowsPerStrip = Math.max(1, Math.min(height, Math.floor(targetStripBytes / rowBytes)));
	const useDeflate = image.compression === 'deflate';
	// Horizontal differencing makes 8-bit imagery compress far better; every TIFF reader supports it.
	const usePredictor = useDeflate && data instanceof Uint8Array;

	const raw = littleEndianBytes(data);
	const strips: Uint8Array[] = [];
	for (let row = 0; row < height; row += rowsPerStrip) {
		const end = Math.min(height, row + rowsPerStrip);
		let strip = raw.subarray(row * rowBytes, end * rowBytes);
		if (usePredictor) strip = horizontalDifference(strip, width, samples);
		strips.push(strip);
	}
	const stored = useDeflate
		? // One output chunk a strip (deflate never grows data by more than a few bytes per 16 KB): with zlib's 16 KB
			// default a 64 KB strip took several round trips to the thread pool and a joining copy.
			await Promise.all(
				strips.map(
					async (s) => new Uint8Array(await deflateAsync(s, {chunkSize: Math.max(16 * 1024, s.length + 1024)})),
				),
			)
		: strips;

	const tags: TiffTag[] = [
		...image.tags,
		{tag: Tag.ImageWidth, type: TiffType.LONG, values: [width]},
		{tag: Tag.ImageLength, type: TiffType.LONG, values: [height]},
		{tag: Tag.BitsPerSample, type: TiffType.SHORT, values: new Array(samples).fill(bytesPerSample * 8)},
		{tag: Tag.Compression, type: TiffType.SHORT, values: [useDeflate ? 8 : 1]},
		{tag: Tag.SamplesPerPixel, type: TiffType.SHORT, values: [samples]},
		{tag: Tag.RowsPerStrip, type: TiffType.LONG, values: [rowsPerStrip]},
		{tag: Tag.StripByteCounts, type: TiffType.LONG, values: stored.map((s) => s.length)},
		{tag: Tag.PlanarConfiguration, type: TiffType.SHORT, values: [1]},
		{
			tag: Tag.SampleFormat,
			type: TiffType.SHORT,
			values: new Array(samples).fill(data instanceof Float32Array ? 3 : 1),
		},
		// Placeholder offsets, filled in once the layout is known.
		{tag: Tag.StripOffsets, type: TiffType.LONG, values: new Array(stored.length).fill(0)},
	];
	if (usePredictor) tags.push({tag: Tag.Predictor, type: TiffType.SHORT, values: [2]});
	tags.sort((a, b) => a.tag - b.tag);

	// Layout: header (8) | IFD | out-of-line tag values | strips.
	const ifdSize = 2 + tags.length * 12 + 4;
	let cursor = 8 + ifdSize;
	const valueOffsets = tags.map((t) => {
		const size = tagByteLength(t);
		if (size <= 4) return -1;
		const at = cursor;
		cursor += size + (size & 1);
		return at;
	});
	const stripOffsets: number[] = [];
	for (const strip of stored) {
		stripOffsets.push(cursor);
		cursor += strip.length;
	}
	tags.find((t) => t.tag === Tag.StripOffsets)!.values = stripOffsets;

	const out = new Uint8Array(cursor);
	const view = new DataView(out.buffer);
	out.set([0x49, 0x49, 42, 0]);
	view.setUint32(4, 8, true);
	view.setUint16(8, tags.length, true);
	tags.forEach((t, i) => {
		const entry = 10 + i * 12;
		view.setUint16(entry, t.tag, true);
		view.setUint16(entry + 2, t.type, true);
		view.setUint32(entry + 4, tagCount(t), true);
		const valueAt = valueOffsets[i] >= 0 ? valueOffsets[i] : entry + 8;
		if (valueOffsets[i] >= 0) view.setUint32(entry + 8, valueAt, true);
		writeValues(view, valueAt, t);
	});
	view.setUint32(10 + tags.length * 12, 0, true);
	stored.forEach((strip, i) => out.set(strip, stripOffsets[i]));
	return out;
}

function tagCount(t: TiffTag): number {
	return typeof t.values === 'string' ? t.values.length + 1 : t.values.length;
}

function tagByteLength(t: TiffTag): number {
	return tagCount(t) * typeSize[t.type];
}

function writeValues(view: DataView, at: number, t: TiffTag): void {
	if (typeof t.values === 'string') {
		for (let i = 0; i < t.values.length; i++) view.setUint8(at + i, t.values.charCodeAt(i) & 0x7f);
		view.setUint8(at + t.values.length, 0);
		return;
	}
	const size = typeSize[t.type];
	for (let i = 0; i < t.values.length; i++) {
		const value = t.values[i];
		const p = at + i * size;
		if (t.type === TiffType.BYTE) view.setUint8(p, value);
		else if (t.type === TiffType.SHORT) view.setUint16(p, value, true);
		else if (t.type === TiffType.LONG) view.setUint32(p, value, true);
		else view.setFloat64(p, value, true);
	}
}

/** The samples as little-endian bytes (a view, no copy, on little-endian machines). */
function littleEndianBytes(data: Uint8Array | Uint16Array | Float32Array): Uint8Array {
	if (data instanceof Uint8Array) return data;
	const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
	if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return bytes;
	const swapped = new Uint8Array(data.byteLength);
	const view = new DataView(swapped.buffer);
	for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
	return swapped;
}

function horizontalDifference(strip: Uint8Array, width: number, samples: number): Uint8Array {
	const out = new Uint8Array(strip.length);
	const rowBytes = width * samples;
	for (let rowStart = 0; rowStart < strip.length; rowStart += rowBytes) {
		for (let i = 0; i < samples; i++) out[rowStart + i] = strip[rowStart + i];
		for (let i = rowStart + samples; i < rowStart + rowBytes; i++) out[i] = (strip[i] - strip[i - samples]) & 0xff;
	}
	return out;
}
