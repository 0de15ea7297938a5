import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {makePlan, type PlanSettings} from '../../source/engine/geo/plan.js';

const cellSizes = fc.constantFrom(0.1, 0.25, 0.3, 0.5, 1, 2.5, 10);
const tileSizes = fc.constantFrom(64, 128, 256, 500, 512);

function settingsArbitrary(mode: 'symmetric' | 'anchor', alignToGrid: boolean) {
	return fc
		.record({
			x: fc.double({min: -2e6, max: 2e6, noNaN: true}),
			y: fc.double({min: -2e6, max: 2e6, noNaN: true}),
			// Sizes in tiles (up to 40 a side), so every plan stays small enough to check tile by tile.
			widthInTiles: fc.double({min: 1e-4, max: 40, noNaN: true}),
			heightInTiles: fc.double({min: 1e-4, max: 40, noNaN: true}),
			cellSize: cellSizes,
			tileSize: tileSizes,
		})
		.map(({x, y, widthInTiles, heightInTiles, cellSize, tileSize}): PlanSettings => ({
			extent: {
				xmin: x,
				ymin: y,
				xmax: x + widthInTiles * tileSize * cellSize,
				ymax: y + heightInTiles * tileSize * cellSize,
				crs: 'EPSG:3857',
			},
			crs: 'EPSG:3857',
			cellSize,
			tileSize,
			snap: {mode, alignToGrid},
			maxTiles: 100_000,
		}));
}

/** Whole multiples, allowing for the rounding of coordinates far from zero. */
function isWholeMultiple(length: number, unit: number): boolean {
	const ratio = length / unit;
	return Math.abs(ratio - Math.round(ratio)) < 1e-6 && Math.round(ratio) >= 1;
}

const modes = [
	['symmetric', false],
	['anchor', false],
	['symmetric', true],
] as const;

describe.each(modes)('plan (%s, aligned=%s)', (mode, aligned) => {
	it('contains the requested extent, in whole tiles, covered exactly by rows × cols tiles', () => {
		fc.assert(
			fc.property(settingsArbitrary(mode, aligned), (settings) => {
				const plan = makePlan(settings);
				const tolerance = settings.cellSize * 1e-6;
				const tileSpan = settings.tileSize * settings.cellSize;
				expect(plan.adjusted.xmin).toBeLessThanOrEqual(plan.requested.xmin + tolerance);
				expect(plan.adjusted.ymin).toBeLessThanOrEqual(plan.requested.ymin + tolerance);
				expect(plan.adjusted.xmax).toBeGreaterThanOrEqual(plan.requested.xmax - tolerance);
				expect(plan.adjusted.ymax).toBeGreaterThanOrEqual(plan.requested.ymax - tolerance);
				expect(isWholeMultiple(plan.adjusted.xmax - plan.adjusted.xmin, tileSpan)).toBe(true);
				expect(isWholeMultiple(plan.adjusted.ymax - plan.adjusted.ymin, tileSpan)).toBe(true);
				expect(plan.tiles).toHaveLength(plan.rows * plan.cols);

				// Neighbours share exact edges (no gap, no overlap) and the outer tiles meet the adjusted extent.
				const byPosition = new Map(plan.tiles.map((tile) => [`${tile.row},${tile.col}`, tile]));
				for (const tile of plan.tiles) {
					expect(tile.width).toBe(settings.tileSize);
					expect(tile.height).toBe(settings.tileSize);
					const right = byPosition.get(`${tile.row},${tile.col + 1}`);
					const below = byPosition.get(`${tile.row + 1},${tile.col}`);
					if (right) expect(right.bbox.xmin).toBe(tile.bbox.xmax);
					else expect(tile.bbox.xmax).toBe(plan.adjusted.xmax);
					if (below) expect(below.bbox.ymax).toBe(tile.bbox.ymin);
					else expect(tile.bbox.ymin).toBe(plan.adjusted.ymin);
					if (tile.col === 0) expect(tile.bbox.xmin).toBe(plan.adjusted.xmin);
					if (tile.row === 0) expect(tile.bbox.ymax).toBe(plan.adjusted.ymax);
					expect((tile.bbox.xmax - tile.bbox.xmin) / tileSpan).toBeCloseTo(1, 6);
					expect((tile.bbox.ymax - tile.bbox.ymin) / tileSpan).toBeCloseTo(1, 6);
				}
			}),
			{numRuns: 200},
		);
	});
});

describe('symmetric padding', () => {
	it('differs by at most one cell between opposite sides', () => {
		fc.assert(
			fc.property(settingsArbitrary('symmetric', false), (settings) => {
				const {padding} = makePlan(settings);
				const cell = settings.cellSize;
				// The requested width is rounded up to whole cells, which adds less than one cell on the right.
				expect(Math.abs(padding.left - padding.right)).toBeLessThanOrEqual(cell * (2 + 1e-6));
				expect(Math.abs(padding.top - padding.bottom)).toBeLessThanOrEqual(cell * (2 + 1e-6));
				expect(padding.right - padding.left).toBeGreaterThan(-cell * 1e-6);
				expect(padding.bottom - padding.top).toBeGreaterThan(-cell * 1e-6);
			}),
			{numRuns: 200},
		);
	});

	it('on a whole-cell extent differs by at most one cell, the odd one right and bottom', () => {
		fc.assert(
			fc.property(
				fc.integer({min: -100_000, max: 100_000}),
				fc.integer({min: -100_000, max: 100_000}),
				fc.integer({min: 1, max: 5000}),
				fc.integer({min: 1, max: 5000}),
				tileSizes,
				(x, y, w, h, tileSize) => {
					const plan = makePlan({
						extent: {xmin: x, ymin: y, xmax: x + w, ymax: y + h, crs: 'EPSG:3857'},
						crs: 'EPSG:3857',
						cellSize: 1,
						tileSize,
						snap: {mode: 'symmetric', alignToGrid: false},
						maxTiles: 1e6,
					});
					expect(plan.padding.right - plan.padding.left).toBeGreaterThanOrEqual(0);
					expect(plan.padding.right - plan.padding.left).toBeLessThanOrEqual(1);
					expect(plan.padding.bottom - plan.padding.top).toBeGreaterThanOrEqual(0);
					expect(plan.padding.bottom - plan.padding.top).toBeLessThanOrEqual(1);
				},
			),
		);
	});
});

describe('anchor mode', () => {
	it('keeps the top-left corner', () => {
		fc.assert(
			fc.property(settingsArbitrary('anchor', false), (settings) => {
				const plan = makePlan(settings);
				expect(plan.adjusted.xmin === plan.requested.xmin).toBe(true);
				expect(plan.adjusted.ymax === plan.requested.ymax).toBe(true);
			}),
		);
	});
});

describe('global grid alignment', () => {
	it('gives identical tiles where two overlapping extents overlap', () => {
		fc.assert(
			fc.property(
				settingsArbitrary('symmetric', true),
				fc.double({min: -500, max: 500, noNaN: true}),
				fc.double({min: -500, max: 500, noNaN: true}),
				(settings, dx, dy) => {
					const extent = settings.extent!;
					const shifted: PlanSettings = {
						...settings,
						extent: {
							...extent,
							xmin: extent.xmin + dx,
							xmax: extent.xmax + dx,
							ymin: extent.ymin + dy,
							ymax: extent.ymax + dy,
						},
					};
					const a = makePlan(settings);
					const b = makePlan(shifted);
					const key = (bbox: {xmin: number; ymin: number}) => `${bbox.xmin},${bbox.ymin}`;
					const boxesA = new Map(a.tiles.map((tile) => [key(tile.bbox), tile.bbox]));
					for (const tile of b.tiles) {
						const same = boxesA.get(key(tile.bbox));
						if (same) expect(same).toEqual(tile.bbox);
					}
					// Tile origins are multiples of the tile span from the CRS origin.
					const span = settings.tileSize * settings.cellSize;
					for (const tile of a.tiles) expect(isWholeMultiple(Math.abs(tile.bbox.xmin) + span, span)).toBe(true);
				},
			),
		);
	});
});
