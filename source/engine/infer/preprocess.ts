import {dsmChannel, dsmScaling, isNodata} from './dsm.js';
import type {InputSpec} from './protocol.js';
import {resizeRows} from './resample.js';

/** nodata: 1 where the pixel has no data. */
export type RgbImage = {data: Uint8Array; width: number; height: number; nodata?: Uint8Array};
export type DsmImage = {data: Float32Array; width: number; height: number; nodata?: number};

/**
 * The model's input planes (C×H×W float32, channel order per deepmask_bands) at the image's own size:
 * R, G, B as value / 255, the DSM per deepmask_dsm, then (x − mean) / std per band. Missing RGB pixels and
 * DSM samples get 0 (the band's mean), not black. The DSM must already have the RGB image's size. Into `into`
 * when given (every value written), else into new planes.
 */
export function inputPlanes(spec: InputSpec, rgb: RgbImage, dsm?: DsmImage, into?: Float32Array): Float32Array {
	const {width, height} = rgb;
	const pixels = width * height;
	const planes = into ?? new Float32Array(spec.bands.length * pixels);
	const fill = bandRows(spec, rgb, dsm);
	for (let y = 0; y < height; y++) fill(y, planes, y * width, pixels);
	return planes;
}

/**
 * The input planes resized to size × size (resample.ts), as resizing each plane of inputPlanes() gives them to
 * the last bit, but made a row at a time: the planes at the image's size are never held. Into `into` when given.
 * `rgbPlanes`, when given, returns the R, G and B planes made alike by rgbInputSpec (resized planes do not depend
 * on each other), which are then copied rather than made.
 */
export function resizedInputPlanes(
	spec: InputSpec,
	rgb: RgbImage,
	dsm: DsmImage | undefined,
	size: number,
	into?: Float32Array,
	rgbPlanes?: () => Float32Array,
): Float32Array {
	const {width, height} = rgb;
	const bands = spec.bands.length;
	if (!rgbPlanes) {
		const fill = bandRows(spec, rgb, dsm);
		return resizeRows((y, row) => fill(y, row, 0, width), bands, width, height, size, size, into);
	}
	const plane = size * size;
	const planes = into ?? new Float32Array(bands * plane);
	const shared = rgbPlanes();
	spec.bands.forEach((band, c) => {
		const into = planes.subarray(c * plane, (c + 1) * plane);
		const channel = 'RGB'.indexOf(band);
		if (channel >= 0) into.set(shared.subarray(channel * plane, (channel + 1) * plane));
		else {
			const fill = dsmRows(spec, c, width, dsm);
			resizeRows((y, row) => fill(y, row, 0), 1, width, height, size, size, into);
		}
	});
	return planes;
}

/**
 * The spec of the R, G and B planes as `spec` makes them, in that order; undefined when it lacks one of them. Two
 * members whose RGB specs are equal (and whose model sizes are) make the same RGB planes of a tile.
 */
export function rgbInputSpec(spec: InputSpec): InputSpec | undefined {
	const at = ['R', 'G', 'B'].map((band) => spec.bands.indexOf(band as InputSpec['bands'][number]));
	if (at.some((index) => index < 0)) return undefined;
	return {bands: ['R', 'G', 'B'], mean: at.map((c) => spec.mean[c]), std: at.map((c) => spec.std[c])};
}

/** Writes row y of every band: band c's at into[offset + c × stride …]. */
type RowFill = (y: number, into: Float32Array, offset: number, stride: number) => void;

function bandRows(spec: InputSpec, rgb: RgbImage, dsm?: DsmImage): RowFill {
	const dsmBand = spec.bands.indexOf('DSM');
	const rgbFill = rgbRows(spec, rgb);
	if (dsmBand < 0) return rgbFill;
	const dsmFill = dsmRows(spec, dsmBand, rgb.width, dsm);
	return (y, into, offset, stride) => {
		rgbFill(y, into, offset, stride);
		dsmFill(y, into, offset + dsmBand * stride);
	};
}

/**
 * The spec's R, G and B bands, each byte's standardised value (rounded to float32 as the planes hold it) looked
 * up; missing pixels get 0. The usual three in one pass over the interleaved pixels.
 */
function rgbRows(spec: InputSpec, rgb: RgbImage): RowFill {
	const {width, data, nodata: missing} = rgb;
	const channels = [0, 1, 2].flatMap((channel) => {
		const c = spec.bands.indexOf('RGB'[channel] as InputSpec['bands'][number]);
		if (c < 0) return [];
		const scale = 1 / (255 * spec.std[c]);
		const shift = spec.mean[c] / spec.std[c];
		return [{channel, c, values: Float32Array.from({length: 256}, (_, value) => value * scale - shift)}];
	});
	if (channels.length === 3) {
		// The values copied as their float32 bits: no conversion to a double and back, twice as fast.
		const [reds, greens, blues] = channels.map(({values}) => new Uint32Array(values.buffer));
		const [red, green, blue] = channels.map(({c}) => c);
		let planes: Float32Array | undefined;
		let bits: Uint32Array = new Uint32Array(0);
		return (y, into, offset, stride) => {
			if (into !== planes) {
				planes = into;
				bits = new Uint32Array(into.buffer, into.byteOffset, into.length);
			}
			// In locals: read through the closure, they cost a quarter more.
			const [out, bytes, redBits, greenBits, blueBits] = [bits, data, reds, greens, blues];
			const [r, g, b] = [offset + red * stride, offset + green * stride, offset + blue * stride];
			const start = y * width;
			for (let x = 0, p = start * 3; x < width; x++, p += 3) {
				out[r + x] = redBits[bytes[p]];
				out[g + x] = greenBits[bytes[p + 1]];
				out[b + x] = blueBits[bytes[p + 2]];
			}
			if (missing) for (let x = 0; x < width; x++) if (missing[start + x]) into[r + x] = into[g + x] = into[b + x] = 0;
		};
	}
	return (y, into, offset, stride) => {
		const start = y * width;
		for (const {channel, c, values} of channels) {
			const at = offset + c * stride;
			for (let x = 0; x < width; x++) into[at + x] = missing?.[start + x] ? 0 : values[data[(start + x) * 3 + channel]];
		}
	};
}

/** Writes row y of the DSM band into `into` from `at` (see dsmChannel). */
type DsmRowFill = (y: number, into: Float32Array, at: number) => void;

function dsmRows(spec: InputSpec, c: number, width: number, dsm?: DsmImage): DsmRowFill {
	if (!dsm || !spec.dsm) throw new Error('a DSM band needs a DSM raster and deepmask_dsm');
	const scaling = dsmScaling(dsm.data, dsm.nodata, spec.dsm, {mean: spec.mean[c], std: spec.std[c]});
	return (y, into, at) => dsmChannel(dsm.data, y * width, width, dsm.nodata, scaling, into, at);
}

/** 1 where the DSM is missing, else 0; undefined when nothing is missing. */
export function nodataMask(dsm: DsmImage): Uint8Array | undefined {
	let mask: Uint8Array | undefined;
	for (let i = 0; i < dsm.data.length; i++) {
		if (isNodata(dsm.data[i], dsm.nodata)) {
			mask ??= new Uint8Array(dsm.data.length);
			mask[i] = 1;
		}
	}
	return mask;
}

/** 1 where either mask says no data; the other when one is absent, undefined when both are. */
export function eitherNodata(a: Uint8Array | undefined, b: Uint8Array | undefined): Uint8Array | undefined {
	if (!a || !b) return a ?? b;
	const both = new Uint8Array(a.length);
	for (let i = 0; i < a.length; i++) both[i] = a[i] | b[i];
	return both;
}
