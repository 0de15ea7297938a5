import {describe, expect, it} from 'vitest';
import {MosaicLabels, MosaicPostprocess, type MosaicLayout} from '../../source/engine/masks/mosaic-components.js';
import {postprocessMask, type PostprocessSettings} from '../../source/engine/masks/postprocess.js';
import {grid, show} from './grid.js';

/** The mask cut into rows × cols tiles of tileWidth × tileHeight, in plan order. */
function cut(mask: Uint8Array, width: number, tileWidth: number, tileHeight: number) {
	const cols = width / tileWidth;
	const rows = mask.length / width / tileHeight;
	const tiles: Array<{row: number; col: number; mask: Uint8Array}> = [];
	for (let row = 0; row < rows; row++) {
		for (let col = 0; col < cols; col++) {
			const tile = new Uint8Array(tileWidth * tileHeight);
			for (let y = 0; y < tileHeight; y++) {
				for (let x = 0; x < tileWidth; x++) {
					tile[y * tileWidth + x] = mask[(row * tileHeight + y) * width + col * tileWidth + x];
				}
			}
			tiles.push({row, col, mask: tile});
		}
	}
	return {rows, cols, tiles};
}

function paste(
	tiles: Array<{row: number; col: number; mask: Uint8Array}>,
	width: number,
	tileWidth: number,
	tileHeight: number,
) {
	const mask = new Uint8Array(tiles.length * tileWidth * tileHeight);
	for (const tile of tiles) {
		for (let y = 0; y < tileHeight; y++) {
			for (let x = 0; x < tileWidth; x++) {
				mask[(tile.row * tileHeight + y) * width + tile.col * tileWidth + x] = tile.mask[y * tileWidth + x];
			}
		}
	}
	return mask;
}

/** Post-processes the mask as tiles of the mosaic; returns the pasted result and the per-tile reports. */
function postprocessTiled(
	mask: Uint8Array,
	width: number,
	tileWidth: number,
	tileHeight: number,
	settings: PostprocessSettings,
	cellArea = 1,
) {
	const {rows, cols, tiles} = cut(mask, width, tileWidth, tileHeight);
	const layout: MosaicLayout = {rows, cols, has: () => true};
	const mosaic = new MosaicPostprocess(layout, settings, cellArea);
	for (const pass of mosaic.passes)
		for (const tile of tiles) mosaic.learn(pass, tile, tile.mask, tileWidth, tileHeight);
	const reports = tiles.map((tile) => mosaic.apply(tile, tile.mask, tileWidth, tileHeight));
	return {mask: paste(tiles, width, tileWidth, tileHeight), reports, whole: mosaic.report()};
}

// A building of 26 pixels across the four 4 × 4 tiles of an 8 × 8 mosaic, with a 2-pixel courtyard on the
// border between the top tiles, and a 1-pixel speck.
const building = grid(`
	........
	.######.
	.##..##.
	.######.
	.######.
	..####..
	........
	#.......
`);

describe('MosaicPostprocess', () => {
	it('keeps or drops a building across 2 × 2 tiles whole, by its whole area', () => {
		const {mask, width} = building;
		const pixels = 26;
		// 2 map units² per pixel: the building is 52 u².
		const kept = postprocessTiled(mask, width, 4, 4, {minArea: pixels * 2 - 0.5, fillHoles: 0}, 2);
		expect(show(kept.mask, width)).toBe(show(mask, width).replace(/#(?=[^#]*$)/, '.'));
		expect(kept.whole).toEqual({removedComponents: 1, removedPixels: 1, filledHoles: 0, filledPixels: 0});
		const dropped = postprocessTiled(mask, width, 4, 4, {minArea: pixels * 2 + 0.5, fillHoles: 0}, 2);
		expect(dropped.mask.every((value) => value === 0)).toBe(true);
		expect(dropped.whole).toEqual({removedComponents: 2, removedPixels: pixels + 1, filledHoles: 0, filledPixels: 0});
		// Each of the four tiles lost its piece of the building.
		expect(dropped.reports.map((report) => report.removedPixels)).toEqual([8, 8, 6, 5]);
	});

	it('fills a hole cut by a tile border when the whole hole is small, not a bay open to the mosaic edge', () => {
		const {mask, width} = grid(`
			########
			#......#
			########
			........
		`);
		const filled = postprocessTiled(mask, width, 4, 2, {minArea: 0, fillHoles: 7});
		expect(show(filled.mask, width)).toBe('######## ######## ######## ........');
		expect(filled.whole).toEqual({removedComponents: 0, removedPixels: 0, filledHoles: 1, filledPixels: 6});
		const tooBig = postprocessTiled(mask, width, 4, 2, {minArea: 0, fillHoles: 6});
		expect(show(tooBig.mask, width)).toBe(show(mask, width));
		const bay = grid(`
			########
			#.......
			########
			........
		`);
		const open = postprocessTiled(bay.mask, bay.width, 4, 2, {minArea: 0, fillHoles: 100});
		expect(show(open.mask, bay.width)).toBe(show(bay.mask, bay.width));
	});

	it('does what postprocessMask does on the whole mosaic, on random masks', () => {
		let seed = 3;
		const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
		for (let trial = 0; trial < 40; trial++) {
			const width = 12;
			const height = 12;
			const mask = new Uint8Array(width * height).map(() => (random() < 0.55 ? 1 : 0));
			const settings = {minArea: 1 + Math.floor(random() * 6), fillHoles: 1 + Math.floor(random() * 6)};
			const whole = mask.slice();
			const expected = postprocessMask(whole, width, height, settings, 1);
			for (const [tileWidth, tileHeight] of [
				[4, 4],
				[3, 6],
				[6, 2],
			]) {
				const tiled = postprocessTiled(mask, width, tileWidth, tileHeight, settings);
				expect(show(tiled.mask, width)).toBe(show(whole, width));
				expect(tiled.whole).toEqual(expected);
			}
		}
	});
});

describe('MosaicLabels', () => {
	it('counts a region next to a tile the run does not have as reaching the edge', () => {
		const layout: MosaicLayout = {rows: 1, cols: 3, has: (_row, col) => col !== 2};
		const labels = new MosaicLabels(layout, 0, 4);
		const closed = grid('### #.# ###');
		const open = grid('### #.. ###');
		labels.add({row: 0, col: 0}, closed.mask, 3, 3);
		labels.add({row: 0, col: 1}, open.mask, 3, 3);
		const left = labels.relabel({row: 0, col: 0}, closed.mask, 3, 3);
		const middle = labels.relabel({row: 0, col: 1}, open.mask, 3, 3);
		expect(labels.reachesEdge(left[4])).toBe(false);
		expect(labels.reachesEdge(middle[4])).toBe(true);
	});
});
