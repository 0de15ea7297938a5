import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {labelComponents, type Connectivity} from '../../source/engine/masks/components.js';
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

/** Components by flood fill, numbered in raster order of their first pixel: what labelComponents must return. */
function floodFill(mask: Uint8Array, width: number, height: number, value: number, connectivity: Connectivity) {
	const labels = new Int32Array(width * height);
	const sizes = [0];
	const touchesEdge = [0];
	const steps =
		connectivity === 8
			? [-1, 0, 1].flatMap((dy) => [-1, 0, 1].map((dx) => [dx, dy])).filter(([dx, dy]) => dx || dy)
			: [
					[1, 0],
					[-1, 0],
					[0, 1],
					[0, -1],
				];
	for (let start = 0; start < labels.length; start++) {
		if (mask[start] !== value || labels[start]) continue;
		const label = sizes.length;
		sizes.push(0);
		touchesEdge.push(0);
		labels[start] = label;
		const stack = [start];
		while (stack.length > 0) {
			const i = stack.pop()!;
			const x = i % width;
			const y = (i - x) / width;
			sizes[label]++;
			if (x === 0 || y === 0 || x === width - 1 || y === height - 1) touchesEdge[label] = 1;
			for (const [dx, dy] of steps) {
				const nx = x + dx;
				const ny = y + dy;
				const j = ny * width + nx;
				if (nx < 0 || ny < 0 || nx >= width || ny >= height || mask[j] !== value || labels[j]) continue;
				labels[j] = label;
				stack.push(j);
			}
		}
	}
	return {labels, count: sizes.length - 1, sizes: Int32Array.from(sizes), touchesEdge: Uint8Array.from(touchesEdge)};
}

describe('labelComponents against a flood fill', () => {
	it('finds the same components, labels, sizes and edges on random masks of any density', () => {
		fc.assert(
			fc.property(
				fc.integer({min: 1, max: 90}),
				fc.integer({min: 1, max: 40}),
				fc.double({min: 0.05, max: 0.95, noNaN: true}),
				fc.integer(),
				fc.constantFrom<Connectivity>(4, 8),
				fc.constantFrom(0, 1),
				(width, height, density, seed, connectivity, value) => {
					const mask = randomMask(width, height, density, seed);
					expect(labelComponents(mask, width, height, {value, connectivity})).toEqual(
						floodFill(mask, width, height, value, connectivity),
					);
				},
			),
			{numRuns: 300},
		);
	});

	it('keeps nothing of the raster before, whatever their sizes (its run buffers are reused, grown and dropped)', () => {
		// Many runs (the buffers grow), few, more than it keeps (they are dropped), then few again.
		for (const [width, height] of [
			[300, 200],
			[7, 5],
			[1, 1],
		]) {
			for (const connectivity of [4, 8] as const) {
				const mask = randomMask(width, height, 0.5, width);
				expect(labelComponents(mask, width, height, {connectivity})).toEqual(
					floodFill(mask, width, height, 1, connectivity),
				);
			}
		}
		const side = 1500;
		const checkerboard = new Uint8Array(side * side);
		for (let i = 0; i < checkerboard.length; i++) checkerboard[i] = ((i % side) % 2) ^ (Math.floor(i / side) % 2);
		expect(labelComponents(checkerboard, side, side, {connectivity: 4}).count).toBe((side * side) / 2);
		expect(labelComponents(checkerboard, side, side, {connectivity: 8}).count).toBe(1);
		const mask = randomMask(13, 9, 0.4, 3);
		expect(labelComponents(mask, 13, 9, {value: 0, connectivity: 4})).toEqual(floodFill(mask, 13, 9, 0, 4));
	});
});

function randomMask(width: number, height: number, density: number, seed: number): Uint8Array {
	const mask = new Uint8Array(width * height);
	let state = seed >>> 0 || 1;
	for (let i = 0; i < mask.length; i++) {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		mask[i] = state / 2 ** 32 < density ? 1 : 0;
	}
	return mask;
}

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
