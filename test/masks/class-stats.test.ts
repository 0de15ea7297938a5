import {describe, expect, it} from 'vitest';
import {classConfigOf} from '../../source/engine/classes/class-config.js';
import type {Tile} from '../../source/engine/geo/plan.js';
import {interleavePlanes, separatePlanes} from '../../source/engine/masks/planes.js';
import {mergeStats} from '../../source/engine/masks/run-stats.js';
import {summariseTile} from '../../source/engine/masks/tile-stats.js';

const classes = classConfigOf({'0': 'background', '1': 'building', '2': 'tree'});
const tile: Tile = {id: 'r000_c000', row: 0, col: 0, bbox: {xmin: 0, ymin: 0, xmax: 5, ymax: 5}, width: 5, height: 5};

/** Three planes (background, building, tree) from a 5 × 5 map of winning class ids, the winner at 230. */
function planesOf(ids: string): Uint8Array {
	const cells = ids.replaceAll(' ', '').split('').map(Number);
	const planes = new Uint8Array(3 * cells.length).fill(10);
	cells.forEach((id, i) => (planes[id * cells.length + i] = 230));
	return planes;
}

describe('summariseTile with several classes', () => {
	// A building ring around a background hole, and a tree.
	const probability = planesOf('11100 10100 11100 00000 00022');

	it('counts pixels per class and objects of any class', () => {
		const {mask, stats} = summariseTile({
			tile,
			probability,
			members: [probability],
			models: ['m'],
			width: 5,
			height: 5,
			threshold: 0.5,
			postprocess: {minArea: 0, fillHoles: 0},
			classes,
		});
		expect([...mask]).toEqual([1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2]);
		expect(stats.classPixels).toEqual([15, 8, 2]);
		expect(stats.foregroundPixels).toBe(10);
		expect(stats.components.count).toBe(2);
		expect(stats.members[0].vsEnsemble.iou).toBe(1);
		expect(
			mergeStats([stats], {
				plan: {rows: 1, cols: 1},
				threshold: 0.5,
				models: ['m'],
				postprocess: {minArea: 0, fillHoles: 0},
			}).classPixels,
		).toEqual([15, 8, 2]);
	});

	it('fills a hole with the class around it and drops small objects to background', () => {
		const {mask, stats} = summariseTile({
			tile,
			probability,
			members: [],
			models: [],
			width: 5,
			height: 5,
			threshold: 0.5,
			postprocess: {minArea: 3, fillHoles: 2},
			classes,
		});
		expect(mask[6]).toBe(1);
		expect(mask[23]).toBe(0);
		expect(stats.classPixels).toEqual([16, 9, 0]);
	});
});

describe('statistics per class', () => {
	// The ensemble: a 3 × 3 building (9 px) and two trees (2 px and 1 px); a member that sees the building
	// as 6 building + 3 tree pixels, and one that agrees with the ensemble.
	const ensemble = planesOf('11100 11100 11100 00000 22002');
	const member = planesOf('11100 11100 22200 00000 22002');

	const summary = () =>
		summariseTile({
			tile,
			probability: ensemble,
			members: [member, ensemble],
			models: ['a', 'b'],
			width: 5,
			height: 5,
			threshold: 0.5,
			postprocess: {minArea: 0, fillHoles: 0},
			classes,
		}).stats;

	it('gives each class its pixels, area, components and members agreement', () => {
		const stats = summary();
		const [background, building, tree] = stats.classes!;
		expect(background).toMatchObject({id: 0, name: 'background', pixels: 13, fraction: 13 / 25, area: 13});
		expect(building).toMatchObject({id: 1, name: 'building', pixels: 9, area: 9, components: 1});
		expect(tree).toMatchObject({id: 2, name: 'tree', pixels: 3, components: 2});
		expect(building.members).toEqual([
			{model: 'a', pixels: 6, vsEnsemble: {intersection: 6, union: 9, iou: 6 / 9}},
			{model: 'b', pixels: 9, vsEnsemble: {intersection: 9, union: 9, iou: 1}},
		]);
		expect(tree.members[0].vsEnsemble).toEqual({intersection: 3, union: 6, iou: 0.5});
		expect(tree.pairs).toEqual([{a: 'a', b: 'b', intersection: 3, union: 6, iou: 0.5}]);
		// Member a against the ensemble: rows its classes, columns the ensemble's.
		expect(stats.confusion![0]).toEqual({
			model: 'a',
			counts: [
				[13, 0, 0],
				[0, 6, 0],
				[0, 3, 3],
			],
		});
	});

	it('gives every pair of members their confusion, class by class', () => {
		// Member a against member b (who agrees with the ensemble): rows a's classes, columns b's.
		expect(summary().pairConfusion).toEqual([
			{
				a: 'a',
				b: 'b',
				counts: [
					[13, 0, 0],
					[0, 6, 0],
					[0, 3, 3],
				],
			},
		]);
		const overall = mergeStats([summary(), summary()], {
			plan: {rows: 1, cols: 2},
			threshold: 0.5,
			models: ['a', 'b'],
			postprocess: {minArea: 0, fillHoles: 0},
		});
		expect(overall.pairConfusion![0].counts[2]).toEqual([0, 6, 6]);
	});

	it('sums them over the tiles and recomputes the ratios', () => {
		const stats = summary();
		const overall = mergeStats([stats, stats], {
			plan: {rows: 1, cols: 2},
			threshold: 0.5,
			models: ['a', 'b'],
			postprocess: {minArea: 0, fillHoles: 0},
		});
		const building = overall.classes![1];
		expect(building).toMatchObject({pixels: 18, fraction: 18 / 50, area: 18, components: 2});
		expect(building.members[0].vsEnsemble).toEqual({intersection: 12, union: 18, iou: 12 / 18});
		expect(overall.confusion![0].counts[2]).toEqual([0, 6, 6]);
	});

	it('leaves binary statistics without them', () => {
		const binary = summariseTile({
			tile,
			probability: new Uint8Array(25).fill(200),
			members: [],
			models: [],
			width: 5,
			height: 5,
			threshold: 0.5,
			postprocess: {minArea: 0, fillHoles: 0},
		}).stats;
		expect(Object.keys(binary)).not.toContain('classes');
		expect(Object.keys(binary)).not.toContain('confusion');
	});
});

describe('class planes as raster bands', () => {
	it('interleaves plane-major planes into pixels and back', () => {
		const planar = Uint8Array.from([1, 2, 3, 10, 20, 30]);
		expect([...interleavePlanes(planar, 2)]).toEqual([1, 10, 2, 20, 3, 30]);
		expect(separatePlanes(interleavePlanes(planar, 2), 2)).toEqual(planar);
		expect(interleavePlanes(planar, 1)).toBe(planar);
	});
});
