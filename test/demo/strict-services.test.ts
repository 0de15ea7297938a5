/**
 * The local service is at least as strict as a real ArcGIS Server, and the client copes with what real
 * servers do: a MapServer that has no tiff, a hosted tile layer without export, a 4-band U16 service in
 * blue-green-red-infrared order, and an elevation service that fails below its advertised limit.
 */
import {fromArrayBuffer} from 'geotiff';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {ArcGisLayerConfig as LayerConfig, LayerName} from '../../source/config/preset-schema.js';
import {readFile, rm} from 'node:fs/promises';
import path from 'node:path';
import {DEMO_ORIGIN, renderScene} from '../../source/demo/scene.js';
import {fetchAll} from '../../source/engine/fetch/fetch-tiles.js';
import {readGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {startImageService, type ImageService} from '../../source/demo/server.js';
import {arcGisSource} from '../../source/engine/sources/arcgis/arcgis-layer.js';
import type {FetchedRaster} from '../../source/engine/sources/source.js';
import type {HttpResponse} from '../../source/engine/sources/transport.js';
import {expectListedByEsri} from '../helpers/esri-reference.js';
import {demoPlan, tempDir, testHttp} from '../fetch/helpers.js';

const {x: ox, y: oy} = DEMO_ORIGIN;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let service: ImageService;
const asked: string[] = [];

async function transport(url: string, request: {signal: AbortSignal}): Promise<HttpResponse> {
	asked.push(url);
	const response = await fetch(url, {signal: request.signal});
	return {
		status: response.status,
		contentType: response.headers.get('content-type') ?? undefined,
		body: new Uint8Array(await response.arrayBuffer()),
	};
}

async function getJson(url: string): Promise<{status: number; json: Json}> {
	const response = await fetch(url);
	return {status: response.status, json: (await response.json()) as Json};
}

function layer(name: string, overrides: Partial<LayerConfig> = {}): LayerConfig {
	const kind = name.endsWith('MapServer') ? 'MapServer' : 'ImageServer';
	return {
		url: `${service.url}/${name}`,
		kind,
		pixelType: 'U8',
		interpolation: 'RSP_NearestNeighbor',
		maxRequestSize: 2048,
		...overrides,
	};
}

async function fetchRaster(
	role: LayerName,
	config: LayerConfig,
	width: number,
	height: number,
	logs: string[] = [],
): Promise<FetchedRaster> {
	const source = await arcGisSource.open(config, {
		role,
		epsg: 3857,
		cellSize: 1,
		transport,
		retry: {retries: 4, baseDelayMs: 1, maxDelayMs: 5},
		onLog: (_level, message) => logs.push(message),
	});
	const bbox = {xmin: ox, ymin: oy, xmax: ox + width * 0.5, ymax: oy + height * 0.5};
	return source.fetch({bbox, width, height}, {signal: new AbortController().signal});
}

beforeAll(async () => {
	service = await startImageService();
});
afterAll(() => service.close());

describe('the local service refuses what real servers refuse', () => {
	it('MapServer export has no tiff (nor jpgpng), though supportedImageFormatTypes lists TIFF', async () => {
		const info = await getJson(`${service.url}/Demo/Imagery/MapServer?f=json`);
		expect(info.json.supportedImageFormatTypes).toContain('TIFF');
		for (const format of ['tiff', 'jpgpng']) {
			const {status, json} = await getJson(
				`${service.url}/Demo/Imagery/MapServer/export?bbox=${ox},${oy},${ox + 50},${oy + 50}&size=100,100&format=${format}&f=image`,
			);
			expect(status).toBe(200);
			expect(json.error).toMatchObject({code: 400, details: ["'format' parameter is invalid."]});
		}
	});

	it('offers a hosted tile layer: TilesOnly, a tile scheme, and no export', async () => {
		const {json: info} = await getJson(`${service.url}/Demo/Basemap/MapServer?f=json`);
		expect(info).toMatchObject({capabilities: 'Map,TilesOnly,Tilemap', singleFusedMapCache: true});
		expect(info.tileInfo.lods).toHaveLength(21);
		const {json} = await getJson(
			`${service.url}/Demo/Basemap/MapServer/export?bbox=${ox},${oy},${ox + 50},${oy + 50}&size=100,100&format=png&f=image`,
		);
		expect(json.error.code).toBe(400);
	});

	it('offers a 4-band U16 service in blue, green, red, near-infrared order and answers U16 TIFFs', async () => {
		const {json: info} = await getJson(`${service.url}/Demo/Multispectral/ImageServer?f=json`);
		expect(info).toMatchObject({pixelType: 'U16', bandCount: 4, bandNames: ['Blue', 'Green', 'Red', 'NearInfrared']});
		const response = await fetch(
			`${service.url}/Demo/Multispectral/ImageServer/exportImage?bbox=${ox},${oy},${ox + 50},${oy + 50}&size=100,100&format=tiff&f=image`,
		);
		const image = await (await fromArrayBuffer(await response.arrayBuffer())).getImage();
		expect([image.getSamplesPerPixel(), image.getBitsPerSample()]).toEqual([4, 16]);
	});

	it('an elevation service that advertises 4000 px answers larger than 600 px with HTTP 500', async () => {
		const url = (size: number) =>
			`${service.url}/Demo/Elevation/ImageServer/exportImage?bbox=${ox},${oy},${ox + size / 2},${oy + 10}&size=${size},20&format=tiff&f=image`;
		const {json: info} = await getJson(`${service.url}/Demo/Elevation/ImageServer?f=json`);
		expect(info.maxImageWidth).toBe(4000);
		expect(info.noDataValue).toBe(-9999);
		const failed = await fetch(url(601));
		expect(failed.status).toBe(500);
		expect(await failed.json()).toEqual({error: {code: 500, message: 'Error exporting image', details: []}});
		expect((await fetch(url(600))).status).toBe(200);
	});
});

describe('the client against the strict services', () => {
	it('takes RGB from the U16 BGRN service by band name, stretched by its statistics to the same bytes as the RGB service', async () => {
		const multispectral = await fetchRaster('rgb', layer('Demo/Multispectral/ImageServer'), 300, 200);
		const rgb = await fetchRaster('rgb', layer('Demo/Imagery/ImageServer'), 300, 200);
		expect(multispectral.urls[0]).toMatch(/bandIds=2,1,0/);
		expect(multispectral.urls[0]).toMatch(/pixelType=U16/);
		expect(Buffer.from(multispectral.raster.data).equals(Buffer.from(rgb.raster.data))).toBe(true);
	});

	it('halves requests the elevation service fails with 500 and ends with the pixels of the DSM service', async () => {
		const logs: string[] = [];
		const dsm = {pixelType: 'F32', nodata: -9999} as const;
		const elevation = await fetchRaster('dsm', layer('Demo/Elevation/ImageServer', dsm), 700, 650, logs);
		// The same windows from the DSM service: the halving's 350 × 325.
		const reference = await fetchRaster('dsm', layer('Demo/DSM/ImageServer', {...dsm, maxRequestSize: 350}), 700, 650);
		expect(Buffer.from(elevation.raster.data.buffer).equals(Buffer.from(reference.raster.data.buffer))).toBe(true);
		expect(
			elevation.urls.every((url) =>
				/size=(\d+),(\d+)/
					.exec(url)!
					.slice(1)
					.every((side) => Number(side) <= 600),
			),
		).toBe(true);
		expect(logs.some((message) => /failed a 700×650 request twice/.test(message))).toBe(true);
	});

	it('keeps under 2048 px a service that publishes no limit, so it never refuses a request', async () => {
		const {json: info} = await getJson(`${service.url}/Demo/ElevationLegacy/ImageServer?f=json`);
		expect(info.maxImageWidth).toBeUndefined();
		const dsm = {pixelType: 'F32', nodata: -9999, maxRequestSize: 4096} as const;
		const fetched = await fetchRaster('dsm', layer('Demo/ElevationLegacy/ImageServer', dsm), 3000, 40);
		expect([fetched.attempts, fetched.urls.length]).toEqual([2, 2]);
	});

	it('refuses the hosted tile layer before any download, naming the kind to use', async () => {
		const before = asked.length;
		await expect(fetchRaster('rgb', layer('Demo/Basemap/MapServer'), 100, 100)).rejects.toThrow(
			/tile-only service .*Map,TilesOnly,Tilemap.*kind "tiles"/,
		);
		expect(asked.slice(before).filter((url) => url.includes('/export'))).toEqual([]);
	});

	it('asks the MapServer for png24, the lossless format it lists', async () => {
		const fetched = await fetchRaster('rgb', layer('Demo/Imagery/MapServer'), 100, 100);
		expect(fetched.urls[0]).toMatch(/format=png24/);
	});

	it('built no request Esri does not list', () => {
		const exports = asked.filter((url) => /\/export(Image)?\?/.test(url));
		expect(exports.length).toBeGreaterThan(0);
		for (const url of exports) expectListedByEsri(new URL(url));
	});
});

describe('a fetch against the strict services', () => {
	it("writes the scene: RGB from the U16 BGRN service, the DSM through the elevation service's 500s", async () => {
		const plan = demoPlan(768, 1, 1);
		const runDir = await tempDir('strict');
		try {
			await fetchAll({
				plan,
				layers: {
					rgb: layer('Demo/Multispectral/ImageServer'),
					dsm: layer('Demo/Elevation/ImageServer', {pixelType: 'F32', nodata: -9999}),
				},
				runDir,
				concurrency: {downloads: 2, perHost: 2},
				// The service renders in this thread: a 768 px tile holds the socket longer than testHttp's stall timeout.
				http: {...testHttp, idleTimeoutMs: 30_000},
			});
			const tile = plan.tiles[0]!;
			const scene = renderScene({bbox: tile.bbox, width: tile.width, height: tile.height}, new Set(['rgb', 'dsm']));
			const rgb = await readGeoTiffFile(path.join(runDir, 'tiles', 'rgb', `${tile.id}.tif`));
			const dsm = await readGeoTiffFile(path.join(runDir, 'tiles', 'dsm', `${tile.id}.tif`));
			expect(Buffer.from(rgb.data).equals(Buffer.from(scene.rgb!))).toBe(true);
			expect(Buffer.from(dsm.data.buffer).equals(Buffer.from(scene.dsm!.buffer))).toBe(true);
			const manifest = JSON.parse(await readFile(path.join(runDir, 'manifest.json'), 'utf8'));
			expect(manifest.stages.rgb[tile.id].fingerprint.stretch).toEqual({min: [0, 0, 0], max: [2040, 2040, 2040]});
			expect(manifest.stages.dsm[tile.id].requests).toBe(4);
		} finally {
			await rm(runDir, {recursive: true, force: true});
		}
	});
});
