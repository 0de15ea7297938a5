import {execFileSync} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startImageService, type ImageService} from '../../source/demo/server.js';
import {crsCodeOfGeoKeys} from '../../source/engine/geo/geotiff-crs.js';
import {readGeoTiffFile, writeGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {hasGdal} from '../helpers/gdal.js';

/** Made with GDAL: `gdal_translate -a_srs <Esri WKT of EPSG:31985> -co GEOTIFF_KEYS_FLAVOR=ESRI_PE` (GDAL reads it as EPSG:31985). */
const esriPeFile = fileURLToPath(new URL('../fixtures/geotiff/sirgas-utm25s-esri-pe-string.tif', import.meta.url));
/** `gdal_translate -a_srs "+proj=utm +zone=25 +south +ellps=GRS80"`: parameters only, no name (GDAL: "unknown"). */
const parametersOnlyFile = fileURLToPath(new URL('../fixtures/geotiff/utm25s-parameters-only.tif', import.meta.url));

describe('the CRS of a GeoTIFF', () => {
	it('reads a user-defined CRS given as an Esri PE string as the EPSG code GDAL finds', async () => {
		const raster = await readGeoTiffFile(esriPeFile);
		expect(raster.epsg).toBe(31985);
		expect(raster.nodata).toBe(-9999);
		expect(raster.bbox).toEqual({xmin: 279_500, ymin: 9_115_588, xmax: 279_516, ymax: 9_115_600});
	});

	it.each([
		['an EPSG name in the citation', {ProjectedCSTypeGeoKey: 32767, GTCitationGeoKey: 'ETRS89 / UTM zone 32N'}, 25832],
		['an Esri name in the citation', {ProjectedCSTypeGeoKey: 32767, PCSCitationGeoKey: 'CH1903+_LV95'}, 2056],
		[
			'a WKT with its authority',
			{ProjectedCSTypeGeoKey: 32767, PCSCitationGeoKey: 'ESRI PE String = PROJCS["x",AUTHORITY["EPSG","2154"]]'},
			2154,
		],
		[
			"GDAL's geographic citation",
			{
				GTModelTypeGeoKey: 2,
				GeographicTypeGeoKey: 32767,
				GeogCitationGeoKey: 'GCS Name = SIRGAS 2000|Primem = Greenwich|',
			},
			4674,
		],
		[
			'a geographic Esri PE string',
			{
				GTModelTypeGeoKey: 2,
				GeographicTypeGeoKey: 32767,
				GeogCitationGeoKey:
					'ESRI PE String = GEOGCS["GCS_SIRGAS_2000",DATUM["D_SIRGAS_2000",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]',
			},
			4674,
		],
		['an Esri WKID', {ProjectedCSTypeGeoKey: 102100}, 102100],
	])('reads %s', (_what, keys, code) => {
		expect(crsCodeOfGeoKeys(keys)).toBe(code);
	});

	it('refuses a CRS given only by parameters and names the fix', async () => {
		await expect(readGeoTiffFile(parametersOnlyFile)).rejects.toThrow(/user-defined.*gdal_edit\.py -a_srs EPSG:XXXX/);
	});
});

describe('writing a CRS without an EPSG code', () => {
	it('writes an Esri WKID as ArcGIS does, with its Esri WKT, and reads it back', async () => {
		const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'deepmask-esri-crs-')), 'albers.tif');
		const bbox = {xmin: 0, ymin: 0, xmax: 40, ymax: 30};
		await writeGeoTiffFile(file, {width: 4, height: 3, bands: 1, data: new Float32Array(12), bbox, epsg: 102003});
		expect((await readGeoTiffFile(file)).epsg).toBe(102003);
		if (!hasGdal) return;
		// GDAL reads the Esri WKT and identifies ESRI:102003 (it prints it with an EPSG prefix).
		expect(execFileSync('gdalsrsinfo', ['-e', file], {encoding: 'utf8'})).toMatch(/:102003/);
		expect(execFileSync('gdalsrsinfo', ['-o', 'wkt1', file], {encoding: 'utf8'})).toMatch(
			/USA_Contiguous_Albers_Equal_Area_Conic/,
		);
	});
});

describe('serve --raster with a user-defined CRS', () => {
	let service: ImageService;
	beforeAll(async () => {
		service = await startImageService({rasters: [esriPeFile], demo: false});
	});
	afterAll(() => service.close());

	it('serves the file in the CRS GDAL reads', async () => {
		const info = (await (await fetch(`${service.services[0]!.url}?f=json`)).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
		expect(info.spatialReference).toEqual({wkid: 31985, latestWkid: 31985});
	});
});
