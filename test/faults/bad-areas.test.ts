/**
 * Broken area layers through `deepmask run --area`: an empty layer, a filter that selects nothing or names
 * no field, a Shapefile without its .prj, a polygon that crosses itself, a line layer, and CRSs that cannot
 * be used or transformed. Each is exit 2 with a message naming the layer (and the feature), the problem
 * and the fix, before anything is fetched: the run folder stays empty.
 */
import {execFileSync} from 'node:child_process';
import {rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startImageService, type ImageService} from '../../source/demo/server.js';
import {runCli} from '../helpers/cli.js';
import {hasGdal} from '../helpers/gdal.js';
import {listFiles} from '../helpers/run-folder.js';
import {tempDir} from './helpers.js';

const work = tempDir('bad-areas');
let service: ImageService;

/** A GeoJSON file of one feature (CRS84 unless `crs` names another). */
function layer(name: string, geometry: unknown, properties: Record<string, unknown> = {NAME: 'Olinda'}, crs?: string) {
	const file = path.join(work, `${name}.geojson`);
	writeFileSync(
		file,
		JSON.stringify({
			type: 'FeatureCollection',
			...(crs && {crs: {type: 'name', properties: {name: crs}}}),
			features: [{type: 'Feature', properties, geometry}],
		}),
	);
	return file;
}

/** A square over the demo town, in CRS84. */
const square = {
	type: 'Polygon',
	coordinates: [
		[
			[8.9841, 47.3544],
			[8.9855, 47.3544],
			[8.9855, 47.3553],
			[8.9841, 47.3553],
			[8.9841, 47.3544],
		],
	],
};

async function expectRefused(args: string[], expected: RegExp[]): Promise<void> {
	const out = tempDir('bad-area-run');
	const result = await runCli(['run', '--preset', 'demo', '--set', 'tileSize=128', '--out', out, '--yes', ...args]);
	expect(result.code, result.stderr).toBe(2);
	const message = result.stderr.slice(result.stderr.indexOf('deepmask: '));
	for (const fragment of expected) expect(message).toMatch(fragment);
	expect(message).not.toMatch(/\n\s+at /);
	expect(listFiles(out), 'nothing fetched or written').toEqual([]);
}

beforeAll(async () => {
	service = await startImageService({port: 0});
});

afterAll(async () => {
	await service?.close();
});

describe('bad area layers', () => {
	it('an empty layer', async () => {
		const file = path.join(work, 'empty.geojson');
		writeFileSync(file, JSON.stringify({type: 'FeatureCollection', features: []}));
		await expectRefused(['--area', file], [/the area .*empty\.geojson holds no features; give a layer/]);
	});

	it('a filter that selects nothing, and one that names no field', async () => {
		const file = layer('named', square);
		await expectRefused(
			['--area', file, '--area-where', "NAME = 'Recife'"],
			[/the area filter "NAME = 'Recife'" selects none of the 1 features of .*named\.geojson; check the field names/],
		);
		await expectRefused(
			['--area', file, '--area-where', "NOME = 'Olinda'"],
			[
				/the area filter "NOME = 'Olinda'" cannot be evaluated over .*: no such column: NOME; the layer's fields are NAME/,
			],
		);
	});

	it('a filter the feature service selects nothing with, and one it refuses', async () => {
		const url = `${service.url}/Demo/Areas/FeatureServer/0`;
		await expectRefused(
			['--area', url, '--area-where', "NAME = 'Nowhere'"],
			[/the area filter "NAME = 'Nowhere'" selects none/],
		);
		await expectRefused(
			['--area', url, '--area-where', 'NOME = 1'],
			[/answered ArcGIS error 400: .*'where' parameter is invalid; check the filter "NOME = 1"/],
		);
	});

	it.skipIf(!hasGdal)('a Shapefile without its .prj', async () => {
		const shp = path.join(work, 'no-prj.shp');
		execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', shp, layer('for-shp', square)]);
		rmSync(path.join(work, 'no-prj.prj'));
		await expectRefused(
			['--area', shp],
			[/no-prj\.shp has no \.prj, so its coordinates have no CRS; put the \.prj beside/],
		);
	});

	it('a polygon that crosses itself, named by its feature', async () => {
		const bowtie = {
			type: 'Polygon',
			coordinates: [
				[
					[8.9841, 47.3544],
					[8.9855, 47.3553],
					[8.9855, 47.3544],
					[8.9841, 47.3553],
					[8.9841, 47.3544],
				],
			],
		};
		await expectRefused(
			['--area', layer('bowtie', bowtie, {NAME: 'Bow'})],
			[
				/feature 1 \(NAME=Bow\) is not a valid polygon \(its boundary crosses itself at 8\.9848, 47\.35485/,
				/Fix geometries/,
			],
		);
	});

	it('a line instead of polygons', async () => {
		const line = {type: 'LineString', coordinates: square.coordinates[0]};
		await expectRefused(['--area', layer('line', line)], [/feature 1 \(NAME=Olinda\) is a LineString, not a polygon/]);
	});

	it('a CRS deepmask does not know, and one the plan CRS cannot show', async () => {
		await expectRefused(
			['--area', layer('unknown-crs', square, {}, 'urn:ogc:def:crs:EPSG::999999')],
			[/is in a CRS deepmask cannot use \(unknown CRS EPSG:999999/, /reproject the layer/],
		);
		const pole = {
			type: 'Polygon',
			coordinates: [
				[
					[0, 89],
					[1, 89],
					[1, 90],
					[0, 90],
					[0, 89],
				],
			],
		};
		await expectRefused(
			['--area', layer('pole', pole)],
			[/feature 1 \(NAME=Olinda\) cannot be transformed from EPSG:4326 to the plan CRS EPSG:3857/],
		);
	});
});
