import {isNodata, normaliseDsm} from './dsm.js';
import type {ModelSpec} from './metadata.js';

/** nodata: 1 where the pixel has no data. */
export type RgbImage = {data: Uint8Array; width: number; height: number; nodata?: Uint8Array};
export type DsmImage = {data: Float32Array; width: number; height: number; nodata?: number};

/**
 * The model's input planes (C×H×W float32, channel order per deepmask_bands) at the image's own size:
 * R, G, B as value / 255, the DSM per deepmask_dsm, then (x − mean) / std per band. Missing RGB pixels and
 * DSM samples get 0 (the band's mean), not black. The DSM must already have the RGB image's size.
 */
export function inputPlanes(
	spec: Pick<ModelSpec, 'bands' | 'mean' | 'std' | 'dsm'>,
	rgb: RgbImage,
	dsm?: DsmImage,
): Float32Array {
	const pixels = rgb.width * rgb.height;
	const planes = new Float32Array(spec.bands.length * pixels);
	spec.bands.forEach((band, c) => {
		const mean = spec.mean[c];
		const std = spec.std[c];
		const plane = planes.subarray(c * pixels, (c + 1) * pixels);
		if (band === 'DSM') {
			if (!dsm || !spec.dsm) throw new Error('a DSM band needs a DSM raster and deepmask_dsm');
			const values = normaliseDsm(dsm.data, dsm.nodata, spec.dsm);
			for (let i = 0; i < pixels; i++) plane[i] = Number.isNaN(values[i]) ? 0 : (values[i] - mean) / std;
		} else {
			const offset = 'RGB'.indexOf(band);
			const scale = 1 / (255 * std);
			const shift = mean / std;
			const {data, nodata: missing} = rgb;
			if (missing) for (let i = 0; i < pixels; i++) plane[i] = missing[i] ? 0 : data[i * 3 + offset] * scale - shift;
			else for (let i = 0; i < pixels; i++) plane[i] = data[i * 3 + offset] * scale - shift;
		}
	});
	return planes;
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
