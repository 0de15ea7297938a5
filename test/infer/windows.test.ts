import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {dsmChannel, dsmScaling, groundLevel} from '../../source/engine/infer/dsm.js';
import {resizePlane} from '../../source/engine/infer/resample.js';
import {resizeNearest} from '../../source/engine/geo/resize-nearest.js';
import {
	Blender,
	contextRect,
	gridStarts,
	gridWindows,
	windowGrid,
	windowsWithoutContext,
} from '../../source/engine/infer/windows.js';

describe('sliding windows on the area grid', () => {
	it('are the multiples of the stride that reach into a span, the same for a tile as for the whole area', () => {
		fc.assert(
			fc.property(
				fc.integer({min: -600, max: 2000}),
				fc.integer({min: 1, max: 700}),
				fc.integer({min: 1, max: 512}),
				fc.integer({min: 0, max: 90}),
				(from, length, size, overlap) => {
					const grid = windowGrid(size, overlap);
					expect(grid.stride).toBe(Math.max(1, Math.round(size * (1 - overlap / 100))));
					const to = from + length;
					const starts = gridStarts(grid, from, to);
					for (const start of starts) {
						expect(start % grid.stride === 0).toBe(true);
						expect(start + size > from && start < to).toBe(true);
					}
					// Consecutive, and the neighbours on either side no longer reach in.
					for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBe(grid.stride);
					expect(starts[0] - grid.stride + size).toBeLessThanOrEqual(from);
					expect(starts.at(-1)! + grid.stride).toBeGreaterThanOrEqual(to);
					// A pixel of the span is covered by the same windows whichever span around it asks.
					const pixel = from + Math.floor(length / 2);
					const covering = (list: number[]) => list.filter((start) => start <= pixel && pixel < start + size);
					expect(covering(starts)).toEqual(covering(gridStarts(grid, pixel - 3 * size, pixel + 3 * size)));
					expect(covering(starts).length).toBeGreaterThanOrEqual(Math.floor(size / grid.stride));
				},
			),
		);
	});

	it('give a tile the context its windows reach, less than a window on each side', () => {
		const grids = [windowGrid(256, 25), windowGrid(128, 50)];
		expect(grids.map((grid) => grid.stride)).toEqual([192, 64]);
		const tile = {x: 512, y: 0, width: 512, height: 512};
		// 256-px windows start at 384 (reaches 640 > 512) … 960; at -192 … 384 vertically.
		expect(contextRect(grids, tile)).toEqual({x: 384, y: -192, width: 960 + 256 - 384, height: 384 + 256 + 192});
		expect(gridWindows(grids[0], tile)).toHaveLength(4 * 4);
		expect(windowsWithoutContext(512, 512, grids[0])).toBe(9);
		expect(windowsWithoutContext(100, 300, grids[0])).toBe(2);
	});

	it('blend a constant prediction to the same constant, windows reaching past every edge', () => {
		const width = 150;
		const height = 40;
		const size = 64;
		const grid = windowGrid(size, 25);
		const blender = new Blender(width, height, size);
		const windows = gridWindows(grid, {x: 0, y: 0, width, height});
		expect(windows[0]).toEqual({x: -48, y: -48});
		for (const window of windows) blender.add(window, new Float32Array(size * size).fill(0.7));
		for (const value of blender.result()) expect(value).toBeCloseTo(0.7, 5);
	});
});

describe('resampling', () => {
	it('keeps constants and identity sizes, and averages on exact halving', () => {
		const plane = new Float32Array(30 * 20).fill(3.5);
		for (const value of resizePlane(plane, 30, 20, 7, 11)) expect(value).toBeCloseTo(3.5, 5);
		expect(resizePlane(plane, 30, 20, 30, 20)).toBe(plane);
		const checker = Float32Array.from({length: 16}, (_, i) => ((i % 4) + Math.floor(i / 4)) % 2);
		for (const value of resizePlane(checker, 4, 4, 1, 1)) expect(value).toBeCloseTo(0.5, 5);
		expect(
			Array.from(resizeNearest(Uint8Array.from([1, 0, 0, 1]), {width: 2, height: 2}, {width: 4, height: 4})),
		).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
	});
});

describe('DSM normalisation', () => {
	it('takes the ground at the percentile rank of the valid samples and clips the height above it', () => {
		const dsm = Float32Array.from({length: 101}, (_, i) => 100 + i);
		dsm[0] = -9999;
		dsm[1] = Number.NaN;
		// 99 valid samples 102..200: rank floor(0.02 × 98) = 1 → 103.
		expect(groundLevel(dsm, -9999, 2)).toBe(103);
		const scaling = dsmScaling(dsm, -9999, {mode: 'ndsm', scale: 0.1, clip: [0, 30], percentile: 2});
		const out = new Float32Array(dsm.length);
		dsmChannel(dsm, 0, dsm.length, -9999, scaling, out, 0);
		expect(out[0]).toBe(0);
		expect(out[1]).toBe(0);
		expect(out[2]).toBe(0);
		expect(out[13]).toBeCloseTo(1.0, 5);
		expect(out[100]).toBeCloseTo(3.0, 5);
		const raw = dsmScaling(Float32Array.from([10, 20]), undefined, {mode: 'raw', scale: 0.5, percentile: 2});
		const channel = new Float32Array(2);
		dsmChannel(Float32Array.from([10, 20]), 0, 2, undefined, raw, channel, 0);
		expect(Array.from(channel)).toEqual([5, 10]);
		// Then standardised, missing samples at the mean.
		const standardised = dsmScaling(dsm, -9999, {mode: 'raw', scale: 1, percentile: 2}, {mean: 150, std: 50});
		dsmChannel(dsm, 0, dsm.length, -9999, standardised, out, 0);
		expect([out[0], out[1], out[50], out[100]]).toEqual([0, 0, 0, 1]);
	});
});

describe('DSM ground level', () => {
	it('is the value at its rank of the valid samples sorted ascending (−0 before +0)', () => {
		const sample = fc.oneof(
			fc.constantFrom(-9999, -9998.5, -9999.5, 0, -0, Number.NaN, Infinity, -Infinity, 1.5, -2),
			fc.float({noNaN: true, min: -50, max: 50}),
		);
		fc.assert(
			fc.property(
				fc.array(sample, {maxLength: 300}),
				fc.double({min: 0, max: 100, noNaN: true}),
				// 0 stands for both zeros; 0.1 and 1e40 are no float32's value, so nothing is missing.
				fc.constantFrom(-9999, 0, 1.5, 0.1, 1e40, Number.NaN, undefined),
				(values, percentile, nodata) => {
					const dsm = Float32Array.from(values);
					const sorted = dsm.filter((value) => Number.isFinite(value) && value !== nodata).sort();
					const expected = sorted.length === 0 ? 0 : sorted[Math.floor((percentile / 100) * (sorted.length - 1))];
					expect(Object.is(groundLevel(dsm, nodata, percentile), expected)).toBe(true);
				},
			),
			{numRuns: 500},
		);
	});
});
