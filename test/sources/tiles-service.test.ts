/**
 * The local service's tile caches (ArcGIS `tile/{level}/{row}/{col}` with `tileInfo`, XYZ and TMS routes),
 * and the tiles source reading them: the same pixels as the export on the same grid, a cache in another
 * CRS, and equal to `gdalwarp` of the same cache tiles (skipped only where GDAL is absent).
 */
import {execFileSync} from 'node:child_process';
import {setMaxListeners} from 'node:events';
import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {TilesLayerConfig} from '../../source/config/preset-schema.js';
import {DEMO_ORIGIN} from '../../source/demo/scene.js';
import {startImageService, type ImageService} from '../../source/demo/server.js';
import type {Bbox} from '../../source/engine/geo/georaster.js';
import {readGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {arcGisSource} from '../../source/engine/sources/arcgis/arcgis-layer.js';
import {createHttpClient, type HttpClient} from '../../source/engine/sources/http-transport.js';
import type {FetchedRaster, SourceContext} from '../../source/engine/sources/source.js';
import {parseTileInfo, tileBbox, xyzScheme} from '../../source/engine/sources/tiles/tile-scheme.js';
import {tilesSource} from '../../source/engine/sources/tiles/tiles-layer.js';
import type {Transport} from '../../source/engine/sources/transport.js';
import {hasGdal} from '../helpers/gdal.js';

let service: ImageService;
let http: HttpClient;
/** Every body the transport received, by URL: the cache tiles GDAL gets to mosaic. */
const bodies = new Map<string, Uint8Array>();
const transport: Transport = async (url, request) => {
	const response = await http.transport(url, request);
	bodies.set(url, response.body);
	return response;
};
let root: string;
let xyz: string;

beforeAll(async () => {
	service = await startImageService({port: 0});
	http = createHttpClient({downloads: 8, perHost: 8});
	root = service.url;
	xyz = `http://127.0.0.1:${service.port}/tiles/demo/{z}/{x}/{y}.png`;
});

afterAll(async () => {
	http.close();
	await service.close();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function get(url: string): Promise<{status: number; type: string | null; json?: Json; bytes: Buffer}> {
	const response = await fetch(url);
	const bytes = Buffer.from(await response.arrayBuffer());
	const type = response.headers.get('content-type');
	return {status: response.status, type, bytes, ...(type?.includes('json') && {json: JSON.parse(bytes.toString())})};
}

function signal(): AbortSignal {
	const controller = new AbortController();
	setMaxListeners(0, controller.signal);
	return controller.signal;
}

function context(epsg: number, cellSize: number, planExtent: Bbox): SourceContext {
	return {role: 'rgb', epsg, cellSize, planExtent, transport, retry: {retries: 2, baseDelayMs: 1, maxDelayMs: 2}};
}

async function readTiles(
	url: string,
	epsg: number,
	cellSize: number,
	bbox: Bbox,
	size: number,
	resampling: 'nearest' | 'bilinear',
) {
	const layer: TilesLayerConfig = {url, kind: 'tiles', pixelType: 'U8', resampling};
	const source = await tilesSource.open(layer, context(epsg, cellSize, bbox));
	const fetched = await source.fetch({bbox, width: size, height: size}, {signal: signal()});
	return {source, fetched};
}

const {x: ox, y: oy} = DEMO_ORIGIN;

describe('the local service as a tile cache', () => {
	it('describes its caches with tileInfo: the 0.5 m custom scheme, the Web Mercator one, one in LV95', async () => {
		const native = (await get(`${root}/Demo/Imagery/MapServer?f=json`)).json!;
		expect(native).toMatchObject({singleFusedMapCache: true, capabilities: 'Map,Query,Data'});
		expect(parseTileInfo(native)).toMatchObject({epsg: 3857, tileWidth: 256, format: 'PNG'});
		expect(native.tileInfo.lods.at(-1)).toMatchObject({level: 10, resolution: 0.5});
		const basemap = parseTileInfo((await get(`${root}/Demo/Basemap/MapServer?f=json`)).json!);
		expect(basemap).toMatchObject({epsg: 3857, format: 'JPEG', originX: -20_037_508.342787});
		const lv95 = (await get(`${root}/Demo/ImageryLV95/MapServer?f=json`)).json!;
		expect(lv95.spatialReference).toEqual({wkid: 2056, latestWkid: 2056});
		expect(parseTileInfo(lv95)).toMatchObject({epsg: 2056, originX: 2_420_000, originY: 1_350_000});
	});

	it('answers a cached tile as its format, a tile it does not hold with 404, a malformed one with 400', async () => {
		const tile = await get(`${root}/Demo/Basemap/MapServer/tile/18/91824/137613`);
		expect([tile.status, tile.type]).toEqual([200, 'image/jpeg']);
		const png = await get(`${root}/Demo/Imagery/MapServer/tile/10/189379/164356?blankTile=false`);
		expect([png.status, png.type]).toEqual([200, 'image/png']);
		for (const missing of [
			'Demo/Basemap/MapServer/tile/21/0/0', // a level the cache does not have
			'Demo/Basemap/MapServer/tile/18/0/0', // outside the extent it was built for
			'Demo/Imagery/MapServer/tile/10/189379/999999999',
		]) {
			const answer = await get(`${root}/${missing}`);
			expect([answer.status, answer.json?.error?.code], missing).toEqual([404, 404]);
		}
		const malformed = await get(`${root}/Demo/Basemap/MapServer/tile/18/-1/abc`);
		expect([malformed.status, malformed.json?.error?.code]).toEqual([400, 400]);
		// A dynamic service has no tiles.
		const dynamic = await get(`${root}/Demo/UnfinishedSurvey/MapServer/tile/0/0/0`);
		expect(dynamic.json?.error?.message).toBe('Unable to complete operation.');
	});

	it('serves XYZ and TMS routes of the same tiles, 404 outside the world and the demo extent', async () => {
		const [z, x, y] = [19, 275_226, 183_648];
		const plain = await get(xyz.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y)));
		const tms = await get(`http://127.0.0.1:${service.port}/tiles/demo-tms/${z}/${x}/${2 ** z - 1 - y}.png`);
		expect([plain.status, plain.type]).toEqual([200, 'image/png']);
		expect(tms.bytes.equals(plain.bytes)).toBe(true);
		for (const outside of ['23/0/0.png', `3/8/0.png`, '19/0/0.png'])
			expect((await get(`http://127.0.0.1:${service.port}/tiles/demo/${outside}`)).status, outside).toBe(404);
	});

	it('wants the token on its tile routes as on its exports', async () => {
		const guarded = await startImageService({port: 0, token: 'demo-token-123456'});
		try {
			const arcgis = await get(`${guarded.url}/Demo/Basemap/MapServer/tile/18/91824/137613`);
			expect(arcgis.json?.error?.code).toBe(499);
			const ok = await get(`${guarded.url}/Demo/Basemap/MapServer/tile/18/91824/137613?token=demo-token-123456`);
			expect(ok.status).toBe(200);
			expect((await get(`http://127.0.0.1:${guarded.port}/tiles/demo/19/275226/183648.png`)).status).toBe(401);
			const bearer = await fetch(`http://127.0.0.1:${guarded.port}/tiles/demo/19/275226/183648.png`, {
				headers: {Authorization: 'Bearer demo-token-123456'},
			});
			expect(bearer.status).toBe(200);
			// The source sends the header from its environment variable through the real HTTP client.
			const env = {DEMO_AUTH: 'Bearer demo-token-123456'};
			const layer: TilesLayerConfig = {
				url: `http://127.0.0.1:${guarded.port}/tiles/demo/{z}/{x}/{y}.png`,
				kind: 'tiles',
				pixelType: 'U8',
				resampling: 'bilinear',
				headers: {Authorization: 'DEMO_AUTH'},
			};
			const bbox = {xmin: ox, ymin: oy, xmax: ox + 32, ymax: oy + 32};
			const source = await tilesSource.open(layer, {...context(3857, 0.5, bbox), env});
			const fetched = await source.fetch({bbox, width: 64, height: 64}, {signal: signal()});
			expect(fetched.raster.nodataMask).toBeUndefined();
			const refused = await tilesSource.open(layer, {
				...context(3857, 0.5, bbox),
				env: {DEMO_AUTH: 'Bearer wrong-token-000'},
			});
			await expect(refused.fetch({bbox, width: 64, height: 64}, {signal: signal()})).rejects.toThrow(
				/check the values of DEMO_AUTH \(layers\.rgb\.headers\)/,
			);
		} finally {
			await guarded.close();
		}
	});
});

describe('the tiles source against the local service', () => {
	const bbox = {xmin: ox + 10, ymin: oy + 20, xmax: ox + 138, ymax: oy + 148};

	it("reads the 0.5 m cache into exactly the export's pixels where the grids coincide", async () => {
		const {source, fetched} = await readTiles(`${root}/Demo/Imagery/MapServer`, 3857, 0.5, bbox, 256, 'bilinear');
		expect(source.describe().reads).toMatch(/^level 10 \(0\.5 m\) of the ArcGIS tile cache/);
		expect(fetched.urls[0]).toMatch(/\/Demo\/Imagery\/MapServer\/tile\/10\/\d+\/\d+\?blankTile=false$/);
		const exported = await arcGisSource.open(
			{
				url: `${root}/Demo/Imagery/ImageServer`,
				kind: 'ImageServer',
				pixelType: 'U8',
				interpolation: 'RSP_NearestNeighbor',
				maxRequestSize: 2048,
			},
			context(3857, 0.5, bbox),
		);
		const reference = await exported.fetch({bbox, width: 256, height: 256}, {signal: signal()});
		expect(Buffer.from(fetched.raster.data).equals(Buffer.from(reference.raster.data))).toBe(true);
	});

	it('reads a cache in another CRS (LV95) at the level of the cell size there, close to the export', async () => {
		const {source, fetched} = await readTiles(`${root}/Demo/ImageryLV95/MapServer`, 3857, 0.5, bbox, 256, 'bilinear');
		// 0.5 Web Mercator units are 0.34 m on the ground here: level 11 (0.5 m) is too coarse, 12 (0.25 m) is read.
		expect(source.describe()).toMatchObject({crs: 'EPSG:2056', reads: expect.stringMatching(/^level 12 \(0\.25 m\)/)});
		expect(fetched.raster.nodataMask).toBeUndefined();
		const reference = await readTiles(`${root}/Demo/Imagery/MapServer`, 3857, 0.5, bbox, 256, 'bilinear');
		let sum = 0;
		for (let k = 0; k < fetched.raster.data.length; k++)
			sum += Math.abs(fetched.raster.data[k] - reference.fetched.raster.data[k]);
		expect(sum / fetched.raster.data.length).toBeLessThan(12);
	});

	it('gives nodata, not an error, for the part of a plan tile beyond the cache', async () => {
		// The demo caches end 10 km east of the town.
		const edge = {xmin: ox + 9_950, ymin: oy, xmax: ox + 10_050, ymax: oy + 100};
		const {fetched} = await readTiles(xyz, 3857, 0.5, edge, 200, 'bilinear');
		const mask = fetched.raster.nodataMask!;
		expect(mask[10 * 200 + 10]).toBe(0);
		expect(mask[10 * 200 + 190]).toBe(1);
	});
});

/**
 * The cache tiles the source fetched, each written with its world file, mosaicked by gdalbuildvrt and
 * warped by gdalwarp onto the plan tile's grid: the reference the source must equal.
 */
function gdalReference(
	fetched: FetchedRaster,
	scheme: ReturnType<typeof parseTileInfo>,
	isXyz: boolean,
	epsg: number,
	bbox: Bbox,
	size: number,
	resampling: 'nearest' | 'bilinear',
): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-tiles-gdal-'));
	const files: string[] = [];
	for (const [url, body] of bodies) {
		const match = isXyz ? /\/(\d+)\/(\d+)\/(\d+)\.png/.exec(url) : /\/tile\/(\d+)\/(\d+)\/(\d+)/.exec(url);
		if (!match) continue;
		const [level, first, second] = match.slice(1).map(Number);
		const [row, col] = isXyz ? [second, first] : [first, second];
		const lod = scheme.lods.find((candidate) => candidate.level === level)!;
		const place = tileBbox(scheme, lod, row, col);
		const file = path.join(dir, `tile-${level}-${row}-${col}.png`);
		writeFileSync(file, body);
		const half = lod.resolution / 2;
		writeFileSync(
			file.replace(/\.png$/, '.pgw'),
			[lod.resolution, 0, 0, -lod.resolution, place.xmin + half, place.ymax - half].join('\n'),
		);
		files.push(file);
	}
	expect(files.length).toBeGreaterThanOrEqual(fetched.urls.length);
	const mosaic = path.join(dir, 'mosaic.vrt');
	const out = path.join(dir, 'gdalwarp.tif');
	execFileSync('gdalbuildvrt', ['-q', '-a_srs', `EPSG:${scheme.epsg}`, mosaic, ...files]);
	execFileSync('gdalwarp', [
		'-q',
		'-et',
		'0',
		'-t_srs',
		`EPSG:${epsg}`,
		'-te',
		...[bbox.xmin, bbox.ymin, bbox.xmax, bbox.ymax].map(String),
		'-ts',
		String(size),
		String(size),
		'-r',
		resampling === 'nearest' ? 'near' : 'bilinear',
		mosaic,
		out,
	]);
	return out;
}

describe.skipIf(!hasGdal)('the tiles source equals gdalwarp of the same cache tiles', () => {
	const size = 256;
	const utm = {x: 499_316.13, y: 5_248_815.37};
	const cases: Array<{name: string; url: () => string; epsg: number; cell: number; bbox: Bbox}> = [
		{
			name: 'XYZ level 19 onto 0.5 m Web Mercator (downsampled 1.67×)',
			url: () => xyz,
			epsg: 3857,
			cell: 0.5,
			bbox: {xmin: ox + 10.3, ymin: oy + 20.7, xmax: ox + 10.3 + 128, ymax: oy + 20.7 + 128},
		},
		{
			name: 'the 0.5 m Web Mercator cache onto UTM 32N (another CRS) at 0.34 m',
			url: () => `${root}/Demo/Imagery/MapServer`,
			epsg: 32632,
			cell: 0.34,
			bbox: {xmin: utm.x, ymin: utm.y, xmax: utm.x + 0.34 * size, ymax: utm.y + 0.34 * size},
		},
		{
			name: 'XYZ level 20 onto UTM 32N at 0.2 m',
			url: () => xyz,
			epsg: 32632,
			cell: 0.2,
			bbox: {xmin: utm.x, ymin: utm.y, xmax: utm.x + 0.2 * size, ymax: utm.y + 0.2 * size},
		},
	];
	for (const {name, url, epsg, cell, bbox} of cases) {
		for (const resampling of ['nearest', 'bilinear'] as const) {
			it(`${name}, ${resampling}: within 1 grey level`, async () => {
				bodies.clear();
				const isXyz = url().includes('{z}');
				const {fetched} = await readTiles(url(), epsg, cell, bbox, size, resampling);
				const scheme = isXyz ? xyzScheme(256, 22) : parseTileInfo((await get(`${url()}?f=json`)).json);
				const reference = await readGeoTiffFile(gdalReference(fetched, scheme, isXyz, epsg, bbox, size, resampling));
				expect([reference.width, reference.height, reference.bands]).toEqual([size, size, 3]);
				let worst = 0;
				for (let p = 0; p < size * size; p++)
					for (let b = 0; b < 3; b++)
						worst = Math.max(worst, Math.abs(fetched.raster.data[p * 3 + b] - reference.data[p * 3 + b]));
				expect(worst).toBeLessThanOrEqual(1);
			});
		}
	}
});
