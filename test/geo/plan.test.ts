import {describe, expect, it} from 'vitest';
import {makePlan, type PlanSettings} from '../../source/engine/geo/plan.js';
import {UserError} from '../../source/errors.js';

const base: PlanSettings = {
	extent: {xmin: 1_000_000, ymin: 6_000_000, xmax: 1_000_700, ymax: 6_000_450, crs: 'EPSG:3857'},
	crs: 'EPSG:3857',
	cellSize: 0.5,
	tileSize: 512,
	snap: {mode: 'symmetric', alignToGrid: false},
	maxTiles: 100,
};

function planError(settings: PlanSettings): string {
	try {
		makePlan(settings);
	} catch (error) {
		expect(error).toBeInstanceOf(UserError);
		return (error as Error).message;
	}
	throw new Error('expected the plan to be refused');
}

describe('makePlan', () => {
	it('grows the demo extent symmetrically to 2 × 3 tiles', () => {
		const plan = makePlan(base);
		expect(plan.rows).toBe(2);
		expect(plan.cols).toBe(3);
		expect(plan.adjusted).toEqual({xmin: 999_966, ymin: 5_999_969, xmax: 1_000_734, ymax: 6_000_481});
		expect(plan.padding).toEqual({left: 34, right: 34, top: 31, bottom: 31});
		expect(plan.tiles[0]).toMatchObject({id: 'r000_c000', row: 0, col: 0, width: 512, height: 512});
		expect(plan.tiles[0]!.bbox).toEqual({xmin: 999_966, ymin: 6_000_225, xmax: 1_000_222, ymax: 6_000_481});
	});

	it('transforms an EPSG:4326 extent to the plan CRS', () => {
		const plan = makePlan({
			...base,
			extent: {xmin: 8.98, ymin: 47.3, xmax: 8.99, ymax: 47.305, crs: 'EPSG:4326'},
			maxTiles: 1000,
		});
		expect(plan.requested.xmin).toBeCloseTo((8.98 * Math.PI * 6_378_137) / 180, 3);
		expect(plan.requested.ymax).toBeGreaterThan(plan.requested.ymin);
		expect(plan.crs).toBe('EPSG:3857');
	});

	it('knows UTM zones without a definition', () => {
		const plan = makePlan({
			...base,
			crs: 'EPSG:32632',
			extent: {xmin: 8.98, ymin: 47.3, xmax: 8.99, ymax: 47.305, crs: 'EPSG:4326'},
			maxTiles: 1000,
		});
		expect(plan.epsg).toBe(32632);
		expect(plan.requested.xmin).toBeGreaterThan(400_000);
	});

	it.each([
		['inverted', {xmin: 10, ymin: 0, xmax: 0, ymax: 10}, /inverted.*swap/],
		['empty', {xmin: 0, ymin: 0, xmax: 0, ymax: 10}, /empty/],
	])('refuses an %s extent', (_name, extent, message) => {
		expect(planError({...base, extent: {...extent, crs: 'EPSG:3857'}})).toMatch(message);
	});

	it('refuses an extent over maxTiles and says how to fix it', () => {
		const message = planError({...base, extent: {xmin: 0, ymin: 0, xmax: 100_000, ymax: 100_000, crs: 'EPSG:3857'}});
		expect(message).toMatch(/more than maxTiles \(100\)/);
		expect(message).toMatch(/--set maxTiles=N/);
	});

	it('refuses latitude out of range for EPSG:4326', () => {
		expect(planError({...base, extent: {xmin: 0, ymin: 0, xmax: 1, ymax: 91, crs: 'EPSG:4326'}})).toMatch(
			/outside EPSG:4326/,
		);
	});

	it('refuses a CRS code neither EPSG nor Esri lists and names the fix', () => {
		expect(planError({...base, crs: 'EPSG:999999'})).toMatch(/crsDefinition/);
	});

	it('accepts an unknown CRS with a proj4 definition', () => {
		const definition =
			'+proj=somerc +lat_0=46.9524055555556 +lon_0=7.43958333333333 +k_0=1 +x_0=2600000 +y_0=1200000 +ellps=bessel +towgs84=674.374,15.056,405.346,0,0,0,0 +units=m +no_defs';
		const plan = makePlan({
			...base,
			crs: 'EPSG:2056',
			crsDefinition: definition,
			extent: {xmin: 8.54, ymin: 47.37, xmax: 8.545, ymax: 47.372, crs: 'EPSG:4326'},
		});
		expect(plan.requested.xmin).toBeGreaterThan(2_600_000);
	});
});
