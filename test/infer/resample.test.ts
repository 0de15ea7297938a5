import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {resizeRows} from '../../source/engine/infer/resample.js';

/**
 * The antialiased bilinear resize written out plainly, one output sample at a time: PIL's triangle weights
 * (rounded to float32, divided by the sum of the unrounded ones, rounded again), each row's taps summed in
 * float64 and stored as float32, then each column's taps added one by one to a float32 0.
 */
function reference(src: Float32Array, width: number, height: number, toWidth: number, toHeight: number) {
	const weights = (inSize: number, outSize: number) =>
		Array.from({length: outSize}, (_, i) => {
			const scale = inSize / outSize;
			const support = Math.max(scale, 1);
			const center = scale * (i + 0.5);
			const lo = Math.max(Math.trunc(center - support + 0.5), 0);
			const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
			const raw = Array.from({length: hi - lo}, (_, j) =>
				Math.max(0, 1 - Math.abs((j + lo - center + 0.5) * (1 / support))),
			);
			const total = raw.reduce((sum, value) => sum + value, 0);
			const w = Float32Array.from(raw);
			return {lo, w: total > 0 ? w.map((value) => value / total) : w};
		});
	const columns = weights(width, toWidth);
	const rows = weights(height, toHeight);
	const across = new Float32Array(toWidth * height);
	for (let y = 0; y < height; y++)
		columns.forEach(({lo, w}, x) => {
			across[y * toWidth + x] = w.reduce((sum, weight, j) => sum + src[y * width + lo + j] * weight, 0);
		});
	const out = new Float32Array(toWidth * toHeight);
	rows.forEach(({lo, w}, y) => {
		for (let x = 0; x < toWidth; x++)
			out[y * toWidth + x] = w.reduce(
				(sum, weight, j) => Math.fround(sum + across[(lo + j) * toWidth + x] * weight),
				0,
			);
	});
	return out;
}

/** `channels` planes of width × height from row-major samples of a sine, as resizeRows reads them. */
function sinePlanes(channels: number, width: number, height: number, seed: number) {
	const planes = Array.from({length: channels}, (_, c) =>
		Float32Array.from({length: width * height}, (_, i) => Math.sin(seed + c * 7919 + i * 0.37) * 100),
	);
	const fillRow = (y: number, row: Float32Array) =>
		planes.forEach((plane, c) => row.set(plane.subarray(y * width, (y + 1) * width), c * width));
	return {planes, fillRow};
}

describe('resizeRows', () => {
	it('gives the plain resize to the last bit by ½ and by 2, the sizes it has fast loops for', () => {
		for (const [width, height, toWidth, toHeight] of [
			[128, 96, 64, 48],
			[64, 48, 128, 96],
			[129, 97, 64, 48],
			[63, 47, 126, 94],
			[200, 9, 100, 18],
		]) {
			const {planes, fillRow} = sinePlanes(2, width, height, width);
			const out = resizeRows(fillRow, 2, width, height, toWidth, toHeight);
			planes.forEach((plane, c) => {
				const expected = reference(plane, width, height, toWidth, toHeight);
				expect(out.subarray(c * toWidth * toHeight, (c + 1) * toWidth * toHeight)).toEqual(expected);
			});
		}
	});

	it('gives the plain resize to the last bit, for any sizes up and down, on every channel', () => {
		const size = fc.integer({min: 1, max: 40});
		fc.assert(
			fc.property(
				size,
				size,
				size,
				size,
				fc.integer({min: 1, max: 3}),
				fc.integer(),
				(width, height, toWidth, toHeight, channels, seed) => {
					const {planes, fillRow} = sinePlanes(channels, width, height, seed);
					const out = resizeRows(fillRow, channels, width, height, toWidth, toHeight);
					planes.forEach((plane, c) => {
						const expected = reference(plane, width, height, toWidth, toHeight);
						expect(out.subarray(c * toWidth * toHeight, (c + 1) * toWidth * toHeight)).toEqual(expected);
					});
				},
			),
			{numRuns: 300},
		);
	});
});
