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
	bandRows(spec, rgb, dsm).forEach((fill, c) => {
		for (let y = 0; y < height; y++) fill(y, planes, c * pixels + y * width);
	});
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
	if (!rgbPlanes) {
		const fills = bandRows(spec, rgb, dsm);
		const fillRow = (y: number, row: Float32Array) => fills.forEach((fill, c) => fill(y, row, c * width));
		return resizeRows(fillRow, fills.length, width, height, size, size, into);
	}
	const plane = size * size;
	const planes = into ?? new Float32Array(spec.bands.length * plane);
	const shared = rgbPlanes();
	bandRows(spec, rgb, dsm).forEach((fill, c) => {
		const into = planes.subarray(c * plane, (c + 1) * plane);
		const channel = 'RGB'.indexOf(spec.bands[c]);
		if (channel >= 0) into.set(shared.subarray(channel * plane, (channel + 1) * plane));
		else resizeRows((y, row) => fill(y, row, 0), 1, width, height, size, size, into);
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

/** Writes row y of a band's input plane into `into` from `offset`. */
type RowFill = (y: number, into: Float32Array, offset: number) => void;

function bandRows(spec: InputSpec, rgb: RgbImage, dsm?: DsmImage): RowFill[] {
	const {width} = rgb;
	return spec.bands.map((band, c) => {
		const mean = spec.mean[c];
		const std = spec.std[c];
		if (band === 'DSM') {
			if (!dsm || !spec.dsm) throw new Error('a DSM band needs a DSM raster and deepmask_dsm');
			const scaling = dsmScaling(dsm.data, dsm.nodata, spec.dsm);
			return (y, into, offset) => {
				dsmChannel(dsm.data, y * width, width, dsm.nodata, scaling, into, offset);
				for (let x = offset; x < offset + width; x++) {
					const value = into[x];
					into[x] = Number.isNaN(value) ? 0 : (value - mean) / std;
				}
			};
		}
		// Every byte's standardised value, rounded to float32 as the planes hold it.
		const scale = 1 / (255 * std);
		const shift = mean / std;
		const standardised = Float32Array.from({length: 256}, (_, value) => value * scale - shift);
		const channel = 'RGB'.indexOf(band);
		const {data, nodata: missing} = rgb;
		return (y, into, offset) => {
			const start = y * width;
			if (missing)
				for (let x = 0; x < width; x++)
					into[offset + x] = missing[start + x] ? 0 : standardised[data[(start + x) * 3 + channel]];
			else for (let x = 0; x < width; x++) into[offset + x] = standardised[data[(start + x) * 3 + channel]];
		};
	});
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
