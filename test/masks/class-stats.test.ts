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

describe('class planes as raster bands', () => {
	it('interleaves plane-major planes into pixels and back', () => {
		const planar = Uint8Array.from([1, 2, 3, 10, 20, 30]);
		expect([...interleavePlanes(planar, 2)]).toEqual([1, 10, 2, 20, 3, 30]);
		expect(separatePlanes(interleavePlanes(planar, 2), 2)).toEqual(planar);
		expect(interleavePlanes(planar, 1)).toBe(planar);
	});
});
