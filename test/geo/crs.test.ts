import proj4 from 'proj4';
import {describe, expect, it} from 'vitest';
import {areaUnit, crsName, currentCode, ensureCrs} from '../../source/engine/geo/crs.js';
import {makePlan, type PlanSettings} from '../../source/engine/geo/plan.js';

/** WGS 84 longitude/latitude → the CRS, as `gdaltransform -s_srs EPSG:4326 -t_srs EPSG:n` (GDAL 3, PROJ 9) answers. */
const gdalReference: Array<[string, [number, number], [number, number], number]> = [
	['EPSG:31985', [-35, -8], [279_558.3, 9_115_166.5], 0.1],
	// Swiss grids: Esri's WKT says Hotine oblique Mercator; PROJ computes them as somerc, and so do we.
	['EPSG:2056', [7.44, 46.95], [2_600_104.11, 1_199_879.63], 0.01],
	['EPSG:2056', [9.5, 47.2], [2_756_178.46, 1_229_724.26], 0.01],
	['EPSG:21781', [9.5, 47.2], [756_178.46, 229_724.26], 0.01],
	['EPSG:2154', [2.5, 46.5], [661_655.4, 6_600_121.4], 0.1],
	['EPSG:25832', [9, 51], [500_000.0, 5_649_824.9], 0.1],
	['EPSG:2264', [-80, 35.5], [1_702_372.2, 638_401.8], 0.1],
	['EPSG:27700', [-1.5, 52.5], [434_039.5, 289_239.3], 0.1],
	['EPSG:3035', [10, 52], [4_321_000.0, 3_210_000.0], 0.1],
	// Krovak: proj4 and PROJ differ by a few metres in the datum shift.
	['EPSG:5514', [15, 50], [-703_011.9, -1_058_147.3], 10],
];

describe('the CRS registry', () => {
	it.each(gdalReference)('knows %s offline, where GDAL puts it', (crs, lonLat, expected, tolerance) => {
		ensureCrs(crs);
		const [x, y] = proj4('EPSG:4326', crs).forward(lonLat);
		expect(Math.hypot(x - expected[0], y - expected[1])).toBeLessThan(tolerance);
	});

	it.each([
		['EPSG:102719', 'EPSG:2264'],
		['EPSG:102067', 'EPSG:5514'],
		['ESRI:102100', 'EPSG:3857'],
	])('reads the Esri WKID %s as %s', (wkid, latest) => {
		ensureCrs(wkid);
		ensureCrs(latest);
		const point = proj4('EPSG:4326', wkid).forward([-80, 35.5]);
		expect(proj4('EPSG:4326', latest).forward([-80, 35.5])).toEqual(point);
		expect(currentCode(wkid)).toBe(Number(latest.slice(5)));
	});

	it('names the fix for a code nobody lists', () => {
		expect(() => ensureCrs('EPSG:999999')).toThrow(/neither EPSG nor Esri lists code 999999.*crsDefinition/);
	});

	it('names the fix for a listed CRS whose projection proj4 cannot compute', () => {
		expect(() => ensureCrs('EPSG:3410')).toThrow(/NSIDC_EASE_Grid_Global.*crsDefinition/);
	});
});

describe('a plan in a national grid', () => {
	const settings = (crs: string, extent: PlanSettings['extent']): PlanSettings => ({
		extent,
		crs,
		cellSize: 0.5,
		tileSize: 512,
		snap: {mode: 'symmetric', alignToGrid: false},
		maxTiles: 1000,
	});

	it('plans EPSG:31985 (SIRGAS 2000 / UTM 25S) from a WGS 84 extent without a definition', () => {
		const plan = makePlan(settings('EPSG:31985', {xmin: -35, ymin: -8, xmax: -34.995, ymax: -7.996, crs: 'EPSG:4326'}));
		expect(plan.epsg).toBe(31985);
		// The south-west corner, where GDAL puts it; the densified envelope's edges lie within a few metres.
		expect(Math.abs(plan.requested.xmin - 279_558.3)).toBeLessThan(5);
		expect(Math.abs(plan.requested.ymin - 9_115_166.5)).toBeLessThan(5);
	});

	it('plans EPSG:2056 (CH1903+ / LV95) from an extent in its own numbers', () => {
		const plan = makePlan(
			settings('EPSG:2056', {xmin: 2_600_000, ymin: 1_200_000, xmax: 2_600_500, ymax: 1_200_200, crs: 'EPSG:2056'}),
		);
		expect(plan.rows * plan.cols).toBe(2);
	});

	it('writes rasters of an Esri WKID plan with its EPSG code', () => {
		const plan = makePlan(
			settings('ESRI:102719', {xmin: 1_702_000, ymin: 638_000, xmax: 1_702_300, ymax: 638_200, crs: 'ESRI:102719'}),
		);
		expect(plan.epsg).toBe(2264);
	});
});

describe('units and names of a CRS', () => {
	it('areas are in the square of the linear unit the CRS declares', () => {
		expect(areaUnit('EPSG:3857')).toBe('m²');
		expect(areaUnit('EPSG:2056')).toBe('m²');
		expect(areaUnit('EPSG:2264')).toBe('US ft²');
		expect(areaUnit('ESRI:102719')).toBe('US ft²');
		expect(areaUnit('EPSG:4326')).toBe('deg²');
	});

	it('names a code with the authority that issued it', () => {
		expect(crsName(2264)).toBe('EPSG:2264');
		expect(crsName(102003)).toBe('ESRI:102003');
	});
});
