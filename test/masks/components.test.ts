import {describe, expect, it} from 'vitest';
import {labelComponents} from '../../source/engine/masks/components.js';
import {postprocessMask} from '../../source/engine/masks/postprocess.js';
import {grid, show} from './grid.js';

describe('labelComponents', () => {
	const {mask, width, height} = grid(`
		##...#
		#..#..
		..#...
		......
		##..##
	`);

	it('joins diagonal neighbours with 8-connectivity', () => {
		const result = labelComponents(mask, width, height, {connectivity: 8});
		expect(result.count).toBe(5);
		expect([...result.sizes.subarray(1)]).toEqual([3, 1, 2, 2, 2]);
		expect(result.labels[3 + width * 1]).toBe(result.labels[2 + width * 2]);
		expect([...result.touchesEdge.subarray(1)]).toEqual([1, 1, 0, 1, 1]);
	});

	it('keeps diagonal neighbours apart with 4-connectivity', () => {
		const result = labelComponents(mask, width, height, {connectivity: 4});
		expect(result.count).toBe(6);
		expect(result.sizes.subarray(1).reduce((a, b) => a + b, 0)).toBe(10);
	});

	it('labels in raster order of the first pixel and merges U shapes', () => {
		const u = grid(`
			#.#.#
			#.#.#
			###.#
		`);
		const result = labelComponents(u.mask, u.width, u.height, {connectivity: 4});
		expect(result.count).toBe(2);
		expect(result.labels[0]).toBe(1);
		expect(result.labels[4]).toBe(2);
		expect([...result.sizes]).toEqual([0, 7, 3]);
	});

	it('labels background (value 0)', () => {
		const ring = grid(`
			#####
			#...#
			#.#.#
			#...#
			#####
		`);
		const result = labelComponents(ring.mask, ring.width, ring.height, {value: 0, connectivity: 4});
		expect(result.count).toBe(1);
		expect(result.sizes[1]).toBe(8);
		expect(result.touchesEdge[1]).toBe(0);
	});
});

describe('postprocessMask', () => {
	it('drops components below minArea and fills enclosed holes below fillHoles, in map units', () => {
		const {mask, width, height} = grid(`
			.......#
			.#####..
			.#..##..
			.#####..
			........
			.##....#
			........
		`);
		// 2 × 2 map units per pixel: the lone pixels are 4 u², the pair 8 u², the hole 8 u².
		const report = postprocessMask(mask, width, height, {minArea: 8.5, fillHoles: 9}, 4);
		expect(report).toEqual({removedComponents: 3, removedPixels: 4, filledHoles: 1, filledPixels: 2});
		expect(show(mask, width)).toBe('........ .#####.. .#####.. .#####.. ........ ........ ........');
	});

	it('leaves background cut by the tile edge alone and keeps components exactly at minArea', () => {
		const {mask, width, height} = grid(`
			#.#
			#.#
			###
		`);
		const report = postprocessMask(mask, width, height, {minArea: 7, fillHoles: 100}, 1);
		expect(report).toEqual({removedComponents: 0, removedPixels: 0, filledHoles: 0, filledPixels: 0});
		expect(show(mask, width)).toBe('#.# #.# ###');
	});

	it('does nothing with zero limits', () => {
		const {mask, width, height} = grid('#.. ... ..#');
		expect(postprocessMask(mask, width, height, {minArea: 0, fillHoles: 0}, 1).removedComponents).toBe(0);
		expect(show(mask, width)).toBe('#.. ... ..#');
	});
});
