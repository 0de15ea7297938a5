import {describe, expect, it} from 'vitest';
import {compareStrips, unpackStrip, borderStrips} from '../../source/engine/masks/borders.js';
import {mergeStats} from '../../source/engine/masks/run-stats.js';
import {summariseTile} from '../../source/engine/masks/tile-stats.js';
import {thresholdByte} from '../../source/engine/classes/threshold-byte.js';
import {overlap} from '../../source/engine/masks/stats-types.js';
import type {Tile} from '../../source/engine/geo/plan.js';
import {grid} from './grid.js';

function tile(row: number, col: number, size: number, cell = 2): Tile {
	const side = size * cell;
	return {
		id: `r${String(row).padStart(3, '0')}_c${String(col).padStart(3, '0')}`,
		row,
		col,
		bbox: {xmin: col * side, ymin: -(row + 1) * side, xmax: (col + 1) * side, ymax: -row * side},
		width: size,
		height: size,
	};
}

function bytes(text: string, on: number, off: number): Uint8Array {
	return grid(text).mask.map((v) => (v ? on : off));
}

const noPostprocess = {minArea: 0, fillHoles: 0};

// Member A: left half; member B: top half; they overlap in the top-left 2 × 2.
const memberA = bytes('##.. ##.. ##.. ##..', 200, 10);
const memberB = bytes('#### #### .... ....', 200, 10);
const ensemble = new Uint8Array(16).map((_, i) =>
	memberA[i] === 200 && memberB[i] === 200 ? 255 : memberA[i] === 200 || memberB[i] === 200 ? 100 : 0,
);
const nodata = grid('.... .... .... ...#').mask;

describe('thresholdByte', () => {
	it('is the first byte whose probability reaches the threshold', () => {
		expect(thresholdByte(0.5)).toBe(128);
		expect(thresholdByte(100 / 255)).toBe(100);
		expect(thresholdByte(0)).toBe(0);
		expect(thresholdByte(1)).toBe(255);
	});
});

describe('summariseTile', () => {
	const summarise = (threshold: Parameters<typeof summariseTile>[0]['threshold']) =>
		summariseTile({
			tile: tile(0, 0, 4),
			probability: ensemble,
			members: [memberA, memberB],
			models: ['a', 'b'],
			nodata,
			width: 4,
			height: 4,
			threshold,
			postprocess: noPostprocess,
		});
	const {mask, stats} = summarise(0.5);

	it('thresholds the ensemble into the final mask', () => {
		expect([...mask]).toEqual([...grid('##.. ##.. .... ....').mask]);
		expect(stats).toMatchObject({
			pixels: 16,
			nodataPixels: 1,
			validPixels: 15,
			foregroundPixels: 4,
			cellArea: 4,
			foregroundArea: 16,
		});
		expect(stats.foregroundFraction).toBeCloseTo(4 / 15, 12);
		expect(stats.components).toEqual({count: 1, minPixels: 4, maxPixels: 4, log2Bins: [0, 0, 1]});
	});

	it('histograms the valid pixels and counts the uncertain ones', () => {
		expect(stats.histogram.reduce((a, b) => a + b, 0)).toBe(15);
		expect(stats.histogram[0]).toBe(3);
		expect(stats.histogram[7]).toBe(8);
		expect(stats.histogram[19]).toBe(4);
		expect(stats.uncertainPixels).toBe(8);
	});

	it('measures member agreement from known overlaps', () => {
		expect(stats.members.map((member) => member.foregroundPixels)).toEqual([8, 8]);
		expect(stats.members[0].vsEnsemble).toEqual({intersection: 4, union: 8, iou: 0.5});
		expect(stats.pairs).toEqual([{a: 'a', b: 'b', intersection: 4, union: 12, iou: 1 / 3}]);
	});

	it("counts the same uncertain pixels when a binary run's threshold names its class", () => {
		const named = summarise({foreground: 0.5});
		expect([...named.mask]).toEqual([...mask]);
		expect(named.stats.uncertainPixels).toBe(stats.uncertainPixels);
	});

	it('excludes nodata pixels from the member counts', () => {
		const everywhere = new Uint8Array(16).fill(255);
		const result = summariseTile({
			tile: tile(0, 0, 4),
			probability: everywhere,
			members: [everywhere],
			models: ['x'],
			nodata,
			width: 4,
			height: 4,
			threshold: 0.5,
			postprocess: noPostprocess,
		});
		expect(result.stats.members[0].foregroundPixels).toBe(15);
		expect(result.stats.foregroundPixels).toBe(15);
		expect(result.mask[15]).toBe(0);
	});
});

describe('summariseTile at another threshold from the counts of a summary before', () => {
	// 13 × 11 pixels (not a multiple of four), three members, a few pixels without data.
	const width = 13;
	const height = 11;
	let state = 7;
	const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 24;
	const planes = [0, 1, 2, 3].map(() => Uint8Array.from({length: width * height}, random));
	const nodata = Uint8Array.from({length: width * height}, () => (random() < 20 ? 1 : 0));
	const summarise = (threshold: number, counts?: ReturnType<typeof summariseTile>['counts']) =>
		summariseTile({
			tile: tile(0, 0, width),
			probability: planes[0],
			members: planes.slice(1),
			models: ['a', 'b', 'c'],
			nodata,
			width,
			height,
			threshold,
			postprocess: noPostprocess,
			counts,
		});
	const first = summarise(0.5);

	it('counts the members and their agreement as pixel by pixel', () => {
		for (const threshold of [0.2, 0.5, 0.81]) {
			const {stats, counts} = summarise(threshold, first.counts);
			expect(counts).toBe(first.counts);
			const cut = thresholdByte(threshold);
			const where = (test: (i: number) => boolean) =>
				nodata.reduce((total, none, i) => total + (!none && test(i) ? 1 : 0), 0);
			const on = (plane: number, i: number) => planes[plane][i] >= cut;
			expect(stats.members.map((member) => member.foregroundPixels)).toEqual(
				[1, 2, 3].map((plane) => where((i) => on(plane, i))),
			);
			expect(stats.members.map((member) => member.vsEnsemble)).toEqual(
				[1, 2, 3].map((plane) =>
					overlap(
						where((i) => on(0, i) && on(plane, i)),
						where((i) => on(0, i) || on(plane, i)),
					),
				),
			);
			expect(stats.pairs.map(({intersection, union}) => [intersection, union])).toEqual(
				[
					[1, 2],
					[1, 3],
					[2, 3],
				].map(([a, b]) => [where((i) => on(a, i) && on(b, i)), where((i) => on(a, i) || on(b, i))]),
			);
			expect(stats.histogram.reduce((total, count) => total + count, 0)).toBe(where(() => true));
			expect(stats).toEqual(summarise(threshold).stats);
		}
	});
});

describe('mergeStats', () => {
	it('sums counts and computes IoU from summed intersections and unions', () => {
		const first = summariseTile({
			tile: tile(0, 0, 4),
			probability: ensemble,
			members: [memberA, memberB],
			models: ['a', 'b'],
			width: 4,
			height: 4,
			threshold: 0.5,
			postprocess: noPostprocess,
		});
		// Second tile: the members agree fully on one pixel.
		const one = bytes('#... .... .... ....', 255, 0);
		const second = summariseTile({
			tile: tile(0, 1, 4),
			probability: one,
			members: [one, one],
			models: ['a', 'b'],
			width: 4,
			height: 4,
			threshold: 0.5,
			postprocess: noPostprocess,
		});
		const overall = mergeStats([first.stats, second.stats], {
			plan: {rows: 1, cols: 2},
			threshold: 0.5,
			models: ['a', 'b'],
			postprocess: noPostprocess,
		});
		expect(overall.pixels).toBe(32);
		expect(overall.foregroundPixels).toBe(5);
		expect(overall.components.count).toBe(2);
		expect(overall.components.minPixels).toBe(1);
		expect(overall.components.bins.map((bin) => bin.count)).toEqual([1, 0, 1]);
		expect(overall.histogram.counts.reduce((a, b) => a + b, 0)).toBe(32);
		expect(overall.pairs[0]).toEqual({a: 'a', b: 'b', intersection: 5, union: 13, iou: 5 / 13});
		expect(overall.members[1].vsEnsemble).toEqual({intersection: 5, union: 9, iou: 5 / 9});
		expect(overall.seams.pairs).toBe(1);
	});
});

describe('seam check', () => {
	const stripe = (from: number) =>
		new Uint8Array(64).map((_, i) => (Math.floor(i / 8) >= from && Math.floor(i / 8) < from + 3 ? 255 : 0));
	const summarise = (probability: Uint8Array, col: number) =>
		summariseTile({
			tile: tile(0, col, 8),
			probability,
			members: [],
			models: [],
			width: 8,
			height: 8,
			threshold: 0.5,
			postprocess: noPostprocess,
		}).stats;

	it('finds no disagreement where a stripe continues across the seam', () => {
		const overall = mergeStats([summarise(stripe(2), 0), summarise(stripe(2), 1)], {
			plan: {rows: 1, cols: 2},
			threshold: 0.5,
			models: [],
			postprocess: noPostprocess,
		});
		expect(overall.seams).toMatchObject({
			pairs: 1,
			comparedPixels: 8,
			disagreeingPixels: 0,
			disagreement: 0,
			foregroundDisagreement: 0,
			worst: [],
		});
	});

	it('finds a neighbour shifted by two rows', () => {
		const overall = mergeStats([summarise(stripe(2), 0), summarise(stripe(4), 1)], {
			plan: {rows: 1, cols: 2},
			threshold: 0.5,
			models: [],
			postprocess: noPostprocess,
		});
		expect(overall.seams).toMatchObject({
			comparedPixels: 8,
			disagreeingPixels: 4,
			disagreement: 0.5,
			foregroundDisagreement: 0.8,
		});
		expect(overall.seams.worst).toEqual([
			{a: 'r000_c000', b: 'r000_c001', compared: 8, disagreeing: 4, foregroundDisagreement: 0.8},
		]);
	});

	it('compares the bottom row with the top row of the tile below', () => {
		const column = new Uint8Array(64).map((_, i) => (i % 8 === 3 ? 255 : 0));
		const shifted = new Uint8Array(64).map((_, i) => (i % 8 === 5 ? 255 : 0));
		const top = summariseTile({
			tile: tile(0, 0, 8),
			probability: column,
			members: [],
			models: [],
			width: 8,
			height: 8,
			threshold: 0.5,
			postprocess: noPostprocess,
		}).stats;
		const below = summariseTile({
			tile: tile(1, 0, 8),
			probability: shifted,
			members: [],
			models: [],
			width: 8,
			height: 8,
			threshold: 0.5,
			postprocess: noPostprocess,
		}).stats;
		const overall = mergeStats([top, below], {
			plan: {rows: 2, cols: 1},
			threshold: 0.5,
			models: [],
			postprocess: noPostprocess,
		});
		expect(overall.seams).toMatchObject({pairs: 1, disagreeingPixels: 2, foregroundDisagreement: 1});
	});

	it('skips pixels without source data on either side', () => {
		const nodata = new Uint8Array(64).map((_, i) => (Math.floor(i / 8) < 4 ? 1 : 0));
		const left = summarise(stripe(2), 0);
		const right = summariseTile({
			tile: tile(0, 1, 8),
			probability: stripe(2),
			members: [],
			models: [],
			nodata,
			width: 8,
			height: 8,
			threshold: 0.5,
			postprocess: noPostprocess,
		}).stats;
		expect(left.nodataBorders).toBeUndefined();
		const overall = mergeStats([left, right], {
			plan: {rows: 1, cols: 2},
			threshold: 0.5,
			models: [],
			postprocess: noPostprocess,
		});
		// Rows 0–3 of the right tile have no data: the stripe's rows 2–3 there are not disagreement.
		expect(overall.seams).toMatchObject({pairs: 1, comparedPixels: 4, disagreeingPixels: 0});
	});

	it('packs border strips losslessly', () => {
		const {mask, width, height} = grid('#..#. ..... #...# ##..#');
		const strips = borderStrips(mask, width, height);
		expect([...unpackStrip(strips.top, 5)]).toEqual([1, 0, 0, 1, 0]);
		expect([...unpackStrip(strips.bottom, 5)]).toEqual([1, 1, 0, 0, 1]);
		expect([...unpackStrip(strips.left, 4)]).toEqual([1, 0, 1, 1]);
		expect([...unpackStrip(strips.right, 4)]).toEqual([0, 0, 1, 1]);
		expect(compareStrips(strips.left, strips.right, 4)).toEqual({compared: 4, disagreeing: 1, foreground: 3});
	});
});
