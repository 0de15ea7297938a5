import {describe, expect, it} from 'vitest';
import {coveredTiles, outsideMask, type AreaCoordinates} from '../../source/engine/geo/area-cover.js';

/** A 4 × 4 pixel grid of 1-unit pixels from (0, 0) to (4, 4). */
const grid = {xmin: 0, ymax: 4, cellSize: 1, width: 4, height: 4};

function square(x0: number, y0: number, x1: number, y1: number): Array<[number, number]> {
	return [
		[x0, y0],
		[x1, y0],
		[x1, y1],
		[x0, y1],
		[x0, y0],
	];
}

/** The tile's pixels as rows of '#' (inside) and '.' (outside). */
function picture(outside: Uint8Array | undefined, size: number): string[] {
	if (!outside) return Array.from({length: size}, () => '#'.repeat(size));
	return Array.from({length: size}, (_, row) =>
		[...outside.subarray(row * size, (row + 1) * size)].map((value) => (value ? '.' : '#')).join(''),
	);
}

describe('area cover', () => {
	it('takes the pixels whose centres are inside, holes left out', () => {
		const area: AreaCoordinates = [[square(0, 0, 4, 4), square(1, 1, 3, 3)]];
		expect(picture(outsideMask(area, grid, 4, 0, 0), 4)).toEqual(['####', '#..#', '#..#', '####']);
	});

	it('joins overlapping polygons instead of cancelling their overlap', () => {
		const area: AreaCoordinates = [[square(0, 0, 3, 3)], [square(1, 1, 4, 4)]];
		expect(picture(outsideMask(area, grid, 4, 0, 0), 4)).toEqual(['.###', '####', '####', '###.']);
	});

	it('leaves out a pixel the edge passes without reaching its centre', () => {
		const area: AreaCoordinates = [[square(0.6, 0, 4, 3.4)]];
		expect(picture(outsideMask(area, grid, 4, 0, 0), 4)).toEqual(['....', '.###', '.###', '.###']);
	});

	it('keeps the tiles with a pixel inside, on the whole grid, and clips each tile on the same pixels', () => {
		// An L over a 2 × 2 grid of 2-pixel tiles: the top-right tile has no pixel in it.
		const l: AreaCoordinates = [
			[
				[
					[0, 0],
					[4, 0],
					[4, 1],
					[1, 1],
					[1, 4],
					[0, 4],
					[0, 0],
				],
			],
		];
		expect([...coveredTiles(l, grid, 2, 2)].sort()).toEqual([0, 2, 3]);
		expect(picture(outsideMask(l, grid, 2, 0, 0), 2)).toEqual(['#.', '#.']);
		expect(picture(outsideMask(l, grid, 2, 1, 1), 2)).toEqual(['..', '##']);
		expect(outsideMask(l, grid, 2, 0, 1)).toEqual(new Uint8Array(4).fill(1));
	});
});
