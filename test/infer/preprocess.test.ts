import {describe, expect, it} from 'vitest';
import {inputPlanes, resizedInputPlanes, type DsmImage, type RgbImage} from '../../source/engine/infer/preprocess.js';
import type {InputSpec} from '../../source/engine/infer/protocol.js';
import {resizePlane} from '../../source/engine/infer/resample.js';

const width = 24;
const height = 18;
const pixels = width * height;
const rgb: RgbImage = {
	data: Uint8Array.from({length: pixels * 3}, (_, i) => (i * 37 + (i >> 5)) % 256),
	width,
	height,
	nodata: Uint8Array.from({length: pixels}, (_, p) => (p % 7 === 3 ? 1 : 0)),
};
const dsm: DsmImage = {
	data: Float32Array.from({length: pixels}, (_, p) => (p % 11 === 5 ? -9999 : 100 + Math.sin(p * 0.1) * 5)),
	width,
	height,
	nodata: -9999,
};
const mean = {R: 0.4, G: 0.42, B: 0.32, DSM: 0.2};
const std = {R: 0.16, G: 0.14, B: 0.15, DSM: 0.3};
const specOf = (bands: InputSpec['bands']): InputSpec => ({
	bands,
	mean: bands.map((band) => mean[band]),
	std: bands.map((band) => std[band]),
	dsm: bands.includes('DSM') ? {mode: 'raw', scale: 0.1, clip: [0, 30], percentile: 2} : undefined,
});
const bandOrders: Array<InputSpec['bands']> = [
	['R', 'G', 'B'],
	['B', 'G', 'R'],
	['DSM', 'R', 'G', 'B'],
	['R', 'G'],
	['B', 'DSM'],
	['DSM'],
];

/** Band c of pixel p written out plainly: the byte's (value / 255 − mean) / std, the DSM's (clip(h × scale) − mean) / std. */
function expectedValue(spec: InputSpec, c: number, p: number, image: RgbImage): number {
	const band = spec.bands[c];
	if (band === 'DSM') {
		const height = dsm.data[p];
		if (height === dsm.nodata) return 0;
		return Math.fround((Math.fround(Math.min(30, Math.max(0, height)) * 0.1) - spec.mean[c]) / spec.std[c]);
	}
	if (image.nodata?.[p]) return 0;
	const byte = image.data[p * 3 + 'RGB'.indexOf(band)];
	return Math.fround(byte * (1 / (255 * spec.std[c])) - spec.mean[c] / spec.std[c]);
}

describe('input planes', () => {
	it('hold each band of the spec in its order, standardised, 0 where the pixel is missing', () => {
		for (const image of [rgb, {...rgb, nodata: undefined}])
			for (const bands of bandOrders) {
				const spec = specOf(bands);
				const planes = inputPlanes(spec, image, dsm);
				const expected = Float32Array.from({length: bands.length * pixels}, (_, i) =>
					expectedValue(spec, Math.floor(i / pixels), i % pixels, image),
				);
				expect(planes, bands.join(',')).toEqual(expected);
			}
	});

	it('resized are each plane resized, to the last bit', () => {
		const size = 12;
		for (const bands of bandOrders) {
			const spec = specOf(bands);
			const planes = inputPlanes(spec, rgb, dsm);
			const resized = resizedInputPlanes(spec, rgb, dsm, size);
			bands.forEach((_, c) =>
				expect(resized.subarray(c * size * size, (c + 1) * size * size), bands.join(',')).toEqual(
					resizePlane(planes.subarray(c * pixels, (c + 1) * pixels), width, height, size, size),
				),
			);
		}
	});
});
