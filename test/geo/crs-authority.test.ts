import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fromArrayBuffer} from 'geotiff';
import proj4 from 'proj4';
import {afterAll, describe, expect, it} from 'vitest';
import {authorityCode} from '../../source/engine/geo/crs.js';
import {isGeographicCode} from '../../source/engine/geo/crs-registry.js';
import {encodeGeoTiff} from '../../source/engine/geo/geotiff.js';
import {writeMasksGeoJson} from '../../source/engine/outputs/geojson/geojson.js';
import {classConfigOf, foregroundClasses} from '../../source/engine/classes/class-config.js';
import {masksVrt} from '../../source/engine/outputs/vrt/vrt.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-crs-authority-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const albers = {xmin: 0, ymin: 0, xmax: 256, ymax: 256};
const plan = {
	epsg: 102003,
	rows: 1,
	cols: 1,
	adjusted: albers,
	tileSize: 256,
	tiles: [{id: 'r000_c000', row: 0, col: 0, bbox: albers, width: 256, height: 256}],
};

describe('a CRS code as readers spell it', () => {
	it('names Esri-only codes ESRI and the rest EPSG', () => {
		expect(authorityCode(102003)).toEqual({authority: 'ESRI', code: 102003});
		expect(authorityCode(2264)).toEqual({authority: 'EPSG', code: 2264});
		expect(authorityCode(3857)).toEqual({authority: 'EPSG', code: 3857});
	});

	it('writes ESRI:102003 into masks.vrt', () => {
		expect(masksVrt(plan, new Set(), [[0, 0, 0]])).toContain('<SRS>ESRI:102003</SRS>');
	});

	it('writes ESRI:102003 into the crs member of masks.geojson', async () => {
		const {file} = await writeMasksGeoJson(dir, plan, {
			classes: foregroundClasses(classConfigOf({'0': 'background', '1': 'building'})),
		});
		const json = JSON.parse(readFileSync(file, 'utf8')) as {crs: {properties: {name: string}}};
		expect(json.crs.properties.name).toBe('urn:ogc:def:crs:ESRI::102003');
	});
});

describe('whether a CRS is geographic', () => {
	it('comes from the registry, not from what proj4 has loaded', () => {
		// Hartebeesthoek94: geographic, and never defined in proj4 by this test.
		expect(proj4.defs('EPSG:4148')).toBeUndefined();
		expect(isGeographicCode(4148)).toBe(true);
		expect(isGeographicCode(32633)).toBe(false);
		expect(isGeographicCode(4326)).toBe(true);
		expect(isGeographicCode(3857)).toBe(false);
	});

	it('makes a GeoTIFF in a geographic CRS proj4 has not loaded a geographic one', async () => {
		const raster = {
			width: 2,
			height: 2,
			bands: 1,
			data: new Uint8Array(4),
			bbox: {xmin: 18, ymin: -34, xmax: 19, ymax: -33},
			epsg: 4148,
		};
		const bytes = await encodeGeoTiff(raster);
		const image = await (await fromArrayBuffer(bytes.buffer.slice(0) as ArrayBuffer)).getImage();
		const keys = image.getGeoKeys() as Record<string, unknown>;
		expect(keys.GTModelTypeGeoKey).toBe(2);
		expect(keys.GeographicTypeGeoKey).toBe(4148);
		expect(keys.ProjectedCSTypeGeoKey).toBeUndefined();
	});
});
