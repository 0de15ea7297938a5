import {nodataSampleBits} from './dsm.js';
import type {DsmImage, RgbImage} from './preprocess.js';
import type {TileLayout} from './protocol.js';
import type {PredictInput} from './types.js';

/**
 * Shared tile buffers used again once their tile is done. A buffer is freed only when every thread that saw it
 * has collected its views, and model workers collect rarely: buffers made anew for every tile piled up by the
 * hundred megabytes over a folder of large images.
 */
export class TileBuffers {
	private readonly free: SharedArrayBuffer[] = [];

	constructor(private readonly keep: number) {}

	take(bytes: number): SharedArrayBuffer {
		const index = this.free.findIndex((buffer) => buffer.byteLength === bytes);
		return index >= 0 ? this.free.splice(index, 1)[0] : new SharedArrayBuffer(bytes);
	}

	/** Only once no worker reads the buffer any more (its tile's predictions are all in). */
	give(buffer: SharedArrayBuffer): void {
		this.free.push(buffer);
		if (this.free.length > this.keep) this.free.shift();
	}
}

/**
 * Copy a tile's rasters once into memory that every worker of the ensemble reads (none writes it), instead
 * of one copy per worker, with the tile's missing pixels (where the RGB or the DSM has no data, where every
 * member's probability is 0) found once here rather than by every worker, unless the input brings them. The
 * DSM comes first so that its float32 samples are aligned. Every byte of the buffer is written, so a buffer
 * from `buffers` holds nothing of its last tile.
 */
export function shareTile(
	input: PredictInput,
	buffers = new TileBuffers(0),
): {tile: SharedArrayBuffer; layout: TileLayout} {
	const {rgb, dsm, rgbNodata, missing: found} = input;
	const outside = input.context?.outside;
	const pixels = rgb.width * rgb.height;
	const firstMissingHeight = dsm && found === undefined ? firstNodata(dsm.data, dsm.nodata) : -1;
	const hasMissing = found === undefined ? rgbNodata !== undefined || firstMissingHeight >= 0 : found !== null;
	const dsmBytes = dsm ? dsm.data.length * Float32Array.BYTES_PER_ELEMENT : 0;
	const maskBytes = [rgbNodata, outside, hasMissing].filter(Boolean).length * pixels;
	const tile = buffers.take(dsmBytes + rgb.data.length + maskBytes);
	if (dsm) new Float32Array(tile, 0, dsm.data.length).set(dsm.data);
	new Uint8Array(tile, dsmBytes).set(rgb.data);
	let at = dsmBytes + rgb.data.length;
	const nextMask = () => {
		at += pixels;
		return new Uint8Array(tile, at - pixels, pixels);
	};
	if (rgbNodata) nextMask().set(rgbNodata);
	if (outside) nextMask().set(outside);
	if (hasMissing) {
		const missing = nextMask();
		if (found) missing.set(found);
		else {
			if (rgbNodata) missing.set(rgbNodata);
			else missing.fill(0);
			if (dsm && firstMissingHeight >= 0) markNodata(dsm.data, dsm.nodata, firstMissingHeight, missing);
		}
	}
	const layout: TileLayout = {width: rgb.width, height: rgb.height, hasDsm: dsm !== undefined, nodata: dsm?.nodata};
	if (rgbNodata) layout.hasRgbNodata = true;
	if (outside) layout.hasOutside = true;
	if (hasMissing) layout.hasMissing = true;
	return {tile, layout};
}

/** The rasters of a shared tile, as views on its buffer (read only). */
export function tileImages(
	tile: SharedArrayBuffer,
	layout: TileLayout,
): {rgb: RgbImage; dsm?: DsmImage; outside?: Uint8Array; missing?: Uint8Array} {
	const {width, height, hasDsm, nodata, hasRgbNodata, hasOutside, hasMissing} = layout;
	const pixels = width * height;
	const dsmBytes = hasDsm ? pixels * Float32Array.BYTES_PER_ELEMENT : 0;
	const rgb: RgbImage = {data: new Uint8Array(tile, dsmBytes, pixels * 3), width, height};
	let at = dsmBytes + pixels * 3;
	const nextMask = () => {
		at += pixels;
		return new Uint8Array(tile, at - pixels, pixels);
	};
	if (hasRgbNodata) rgb.nodata = nextMask();
	const images: {rgb: RgbImage; dsm?: DsmImage; outside?: Uint8Array; missing?: Uint8Array} = {rgb};
	if (hasDsm) images.dsm = {data: new Float32Array(tile, 0, pixels), width, height, nodata};
	if (hasOutside) images.outside = nextMask();
	if (hasMissing) images.missing = nextMask();
	return images;
}

/**
 * isNodata on a sample's bits (a 1024² tile in about a sixth of the time the numbers took): a missing sample's
 * exponent is all ones (an infinity or a NaN), or its bits are the nodata value's (either zero's for 0: -0 === 0).
 * No nodata, or one no float32 holds, matches no sample: it is tested as an infinity's bits, which the exponent
 * test already takes.
 */
function nodataBits(nodata: number | undefined): {mask: number; bits: number} {
	const missing = nodataSampleBits(nodata);
	if (missing.length === 0) return {mask: -1, bits: exponentBits};
	// Both zeros: the bits but the sign's.
	return missing.length === 2 ? {mask: 0x7fffffff, bits: 0} : {mask: -1, bits: missing[0] | 0};
}

const exponentBits = 0x7f800000;

/** The index of the first missing sample, -1 when none is. */
function firstNodata(heights: Float32Array, nodata: number | undefined): number {
	const samples = new Int32Array(heights.buffer, heights.byteOffset, heights.length);
	const {mask, bits} = nodataBits(nodata);
	for (let i = 0; i < samples.length; i++) {
		const sample = samples[i];
		if ((sample & exponentBits) === exponentBits || (sample & mask) === bits) return i;
	}
	return -1;
}

/** Set `missing` to 1 where a sample from `from` on is missing. */
function markNodata(heights: Float32Array, nodata: number | undefined, from: number, missing: Uint8Array): void {
	const samples = new Int32Array(heights.buffer, heights.byteOffset, heights.length);
	const {mask, bits} = nodataBits(nodata);
	for (let i = from; i < samples.length; i++) {
		const sample = samples[i];
		if ((sample & exponentBits) === exponentBits || (sample & mask) === bits) missing[i] = 1;
	}
}
