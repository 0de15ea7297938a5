import {describe, expect, it} from 'vitest';
import type {AreaFeatures} from '../../source/config/preset-schema.js';
import {tileOutsideArea} from '../../source/engine/geo/area-clip.js';
import {makePlan, type PlanSettings} from '../../source/engine/geo/plan.js';
import {parsePlan} from '../../source/engine/geo/plan-schema.js';

/** An L 32 m wide along the left and bottom of 192 × 192 m, in EPSG:3857. */
const l: AreaFeatures = {
	label: 'l.geojson',
	crs: 'EPSG:3857',
	polygons: [
		{
			feature: 'feature 1',
			rings: [
				[
					[1000100, 6000100],
					[1000292, 6000100],
					[1000292, 6000132],
					[1000132, 6000132],
					[1000132, 6000292],
					[1000100, 6000292],
					[1000100, 6000100],
				],
			],
		},
	],
};

const settings: PlanSettings = {
	area: {source: 'l.geojson', clip: true},
	crs: 'EPSG:3857',
	cellSize: 0.5,
	tileSize: 128,
	snap: {mode: 'symmetric', alignToGrid: false},
	maxTiles: 100,
};

describe('a plan with an area', () => {
	it("grids the area's bounding box and keeps the tiles with a pixel in the area, ids of the whole grid", () => {
		const plan = makePlan(settings, l);
		expect(plan.requested).toEqual({xmin: 1000100, ymin: 6000100, xmax: 1000292, ymax: 6000292});
		expect([plan.rows, plan.cols]).toEqual([3, 3]);
		expect(plan.tiles.map((tile) => tile.id)).toEqual([
			'r000_c000',
			'r001_c000',
			'r002_c000',
			'r002_c001',
			'r002_c002',
		]);
		expect(plan.area).toMatchObject({source: 'l.geojson', clip: true, covered: 5, skipped: 4});
		// plan.json reads back, and one that lost a tile of the area does not.
		expect(parsePlan(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
		expect(() => parsePlan({...plan, tiles: plan.tiles.slice(1)})).toThrow(/4 tiles for a grid of 3 × 3 with 5 tiles/);
	});

	it('clips only when asked', () => {
		const clipped = makePlan(settings, l);
		const outside = tileOutsideArea(clipped, clipped.tiles[0]);
		// r000_c000: x 1000100–1000164, the L's left band is its left half.
		expect(outside?.filter(Boolean).length).toBe(128 * 64);
		const whole = makePlan({...settings, area: {source: 'l.geojson', clip: false}}, l);
		expect(tileOutsideArea(whole, whole.tiles[0])).toBeUndefined();
	});

	it('lets a given extent limit the area, and says when they do not meet', () => {
		const limited = makePlan(
			{...settings, extent: {xmin: 1000100, ymin: 6000100, xmax: 1000228, ymax: 6000164, crs: 'EPSG:3857'}},
			l,
		);
		expect([limited.rows, limited.cols]).toEqual([1, 2]);
		expect(limited.area).toMatchObject({covered: 2, skipped: 0});
		expect(() => makePlan({...settings, extent: {xmin: 0, ymin: 0, xmax: 10, ymax: 10, crs: 'EPSG:3857'}}, l)).toThrow(
			/the area l\.geojson lies outside the extent 0,0,10,10 \(EPSG:3857\); remove the extent/,
		);
	});

	it('wants the layer read before planning', () => {
		expect(() => makePlan(settings)).toThrow(/must be read before planning/);
	});
});
