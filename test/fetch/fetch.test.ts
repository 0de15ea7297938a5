import {execFileSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {readdir, readFile, rm} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {RunError, UserError} from '../../source/errors.js';
import {renderScene} from '../../source/demo/scene.js';
import {startImageService, type ImageService} from '../../source/demo/server.js';
import {fetchAll, fetchTiles, type FetchEvent, type FetchOptions} from '../../source/engine/fetch/fetch-tiles.js';
import {readGeoTiffFile, writeGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {makePlan, type Plan} from '../../source/engine/geo/plan.js';
import {demoLayers, demoPlan, layer, startSizeLimitedProxy, tempDir, testHttp} from './helpers.js';

const dirs: string[] = [];
async function newDir(prefix: string): Promise<string> {
	const dir = await tempDir(prefix);
	dirs.push(dir);
	return dir;
}

async function tileFiles(dir: string): Promise<Map<string, Buffer>> {
	const files = new Map<string, Buffer>();
	for (const layerName of ['rgb', 'dsm']) {
		const folder = path.join(dir, 'tiles', layerName);
		if (!existsSync(folder)) continue;
		for (const name of await readdir(folder))
			files.set(`${layerName}/${name}`, await readFile(path.join(folder, name)));
	}
	return files;
}

function collect(events: FetchEvent[]): (event: FetchEvent) => void {
	return (event) => events.push(event);
}

let service: ImageService;
let plan: Plan;
let cleanDir: string;

beforeAll(async () => {
	service = await startImageService({port: 0});
	plan = demoPlan(128, 2, 2);
	cleanDir = await newDir('clean');
	await fetchAll({
		plan,
		layers: demoLayers(service.url),
		runDir: cleanDir,
		concurrency: {downloads: 4, perHost: 4},
		http: testHttp,
	});
});

afterAll(async () => {
	await service.close();
	await Promise.all(dirs.map((dir) => rm(dir, {recursive: true, force: true})));
});

describe('fetching from the local image service', () => {
	it('writes every tile with the plan geotransform, CRS and pixel layout, plus plan.json and manifest.json', async () => {
		expect(JSON.parse(await readFile(path.join(cleanDir, 'plan.json'), 'utf8'))).toEqual(
			JSON.parse(JSON.stringify(plan)),
		);
		const manifest = JSON.parse(await readFile(path.join(cleanDir, 'manifest.json'), 'utf8'));
		for (const tile of plan.tiles) {
			const rgb = await readGeoTiffFile(path.join(cleanDir, 'tiles', 'rgb', `${tile.id}.tif`));
			const dsm = await readGeoTiffFile(path.join(cleanDir, 'tiles', 'dsm', `${tile.id}.tif`));
			for (const raster of [rgb, dsm]) {
				expect(raster.bbox).toEqual(tile.bbox);
				expect(raster.epsg).toBe(3857);
				expect([raster.width, raster.height]).toEqual([tile.width, tile.height]);
			}
			expect(rgb.bands).toBe(3);
			expect(rgb.data).toBeInstanceOf(Uint8Array);
			expect(dsm.bands).toBe(1);
			expect(dsm.data).toBeInstanceOf(Float32Array);
			expect(dsm.nodata).toBe(-9999);
			const scene = renderScene({bbox: tile.bbox, width: tile.width, height: tile.height});
			expect(Buffer.from(rgb.data).equals(Buffer.from(scene.rgb!))).toBe(true);
			expect(manifest.stages.dsm[tile.id]).toMatchObject({
				state: 'done',
				file: `tiles/dsm/${tile.id}.tif`,
				attempts: 1,
			});
			expect(manifest.stages.dsm[tile.id].sha256).toMatch(/^[0-9a-f]{64}$/);
		}
		let gdal:
			| {geoTransform: number[]; stac?: Record<string, unknown>; bands: {type: string; noDataValue?: number}[]}
			| undefined;
		try {
			gdal = JSON.parse(
				execFileSync('gdalinfo', ['-json', path.join(cleanDir, 'tiles', 'dsm', 'r000_c001.tif')], {encoding: 'utf8'}),
			);
		} catch {
			// No GDAL on this machine: the codec read-back above is the check.
		}
		if (gdal) {
			const tile = plan.tiles.find((candidate) => candidate.id === 'r000_c001')!;
			expect(gdal.geoTransform).toEqual([tile.bbox.xmin, 0.5, 0, tile.bbox.ymax, 0, -0.5]);
			expect(gdal.stac?.['proj:epsg']).toBe(3857);
			expect(gdal.bands[0]).toMatchObject({type: 'Float32', noDataValue: -9999});
		}
	});

	it('splits a DSM tile larger than the request budget and stitches it without a seam', async () => {
		const bigPlan = demoPlan(160, 1, 1);
		const dir = await newDir('split');
		await fetchAll({
			plan: bigPlan,
			layers: demoLayers(service.url, {maxRequestSize: 64}),
			runDir: dir,
			concurrency: {downloads: 3, perHost: 3},
			http: testHttp,
		});
		const tile = bigPlan.tiles[0];
		const dsm = await readGeoTiffFile(path.join(dir, 'tiles', 'dsm', `${tile.id}.tif`));
		const single = renderScene({bbox: tile.bbox, width: tile.width, height: tile.height}, new Set(['dsm'])).dsm!;
		expect(Buffer.from(dsm.data.buffer).equals(Buffer.from(single.buffer))).toBe(true);
		const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
		expect(manifest.stages.dsm[tile.id].requests).toBe(9);
		expect(manifest.stages.rgb[tile.id].requests).toBe(1);
	});

	it('splits further when the service refuses a size it advertised', async () => {
		const proxy = await startSizeLimitedProxy(service.url, {advertisedMax: 10_000, acceptedMax: 100});
		try {
			const bigPlan = demoPlan(160, 1, 1);
			const dir = await newDir('size-error');
			const events: FetchEvent[] = [];
			await fetchAll({
				plan: bigPlan,
				layers: demoLayers(proxy.url),
				runDir: dir,
				concurrency: {downloads: 2, perHost: 2},
				http: testHttp,
				onEvent: collect(events),
			});
			const tile = bigPlan.tiles[0];
			const dsm = await readGeoTiffFile(path.join(dir, 'tiles', 'dsm', `${tile.id}.tif`));
			const single = renderScene({bbox: tile.bbox, width: tile.width, height: tile.height}, new Set(['dsm'])).dsm!;
			expect(Buffer.from(dsm.data.buffer).equals(Buffer.from(single.buffer))).toBe(true);
			expect(
				events.some((event) => event.type === 'log' && /refused a 160×160 request as too large/.test(event.message)),
			).toBe(true);
			expect(proxy.exports.filter((size) => size === '80,80')).toHaveLength(8);
		} finally {
			await proxy.close();
		}
	});

	it('completes under 5xx, stalls, truncated bodies and error bodies with the pixels of a clean run', async () => {
		const faulty = await startImageService({
			port: 0,
			faults: {errorRate: 0.3, stallRate: 0.1, truncateRate: 0.1, errorBodyRate: 0.1, seed: 11},
		});
		try {
			const dir = await newDir('faults');
			const events: FetchEvent[] = [];
			await fetchAll({
				plan,
				layers: demoLayers(faulty.url),
				runDir: dir,
				concurrency: {downloads: 4, perHost: 4},
				http: testHttp,
				onEvent: collect(events),
			});
			expect(events.filter((event) => event.type === 'tile-retry').length).toBeGreaterThan(0);
			expect(await tileFiles(dir)).toEqual(await tileFiles(cleanDir));
		} finally {
			await faulty.close();
		}
	});

	it('resumes an interrupted fetch and ends byte-identical to an uninterrupted one', async () => {
		const dir = await newDir('resume');
		const controller = new AbortController();
		const options: FetchOptions = {
			plan,
			layers: demoLayers(service.url),
			runDir: dir,
			concurrency: {downloads: 2, perHost: 2},
			http: testHttp,
		};
		await expect(
			fetchAll({
				...options,
				signal: controller.signal,
				onEvent: (event) => {
					if (event.type === 'tile-done') controller.abort();
				},
			}),
		).rejects.toMatchObject({name: 'AbortError'});
		const afterAbort = await readdir(path.join(dir, 'tiles', 'rgb')).catch(() => []);
		expect(
			[...afterAbort, ...(await readdir(path.join(dir, 'tiles', 'dsm')).catch(() => []))].every((name) =>
				/^r\d{3}_c\d{3}\.tif$/.test(name),
			),
		).toBe(true);

		const events: FetchEvent[] = [];
		await fetchAll({...options, onEvent: collect(events)});
		expect(events.filter((event) => event.type === 'tile-done' && event.skipped).length).toBeGreaterThanOrEqual(1);
		expect(await tileFiles(dir)).toEqual(await tileFiles(cleanDir));

		const again: FetchEvent[] = [];
		const summary = await fetchAll({...options, onEvent: collect(again)});
		expect(summary).toMatchObject({tiles: 4, skipped: 4, downloaded: 0});
		expect(again.some((event) => event.type === 'tile-queued')).toBe(false);
	});

	it('refetches what a changed preset affects, and says why', async () => {
		const dir = await newDir('changed');
		await fetchAll({
			plan,
			layers: demoLayers(service.url),
			runDir: dir,
			concurrency: {downloads: 4, perHost: 4},
			http: testHttp,
		});
		const events: FetchEvent[] = [];
		await fetchAll({
			plan,
			layers: demoLayers(service.url, {interpolation: 'RSP_NearestNeighbor'}),
			runDir: dir,
			concurrency: {downloads: 4, perHost: 4},
			http: testHttp,
			onEvent: collect(events),
		});
		const messages = events.flatMap((event) => (event.type === 'log' ? [event.message] : []));
		expect(messages).toContain('tile r000_c000: preset changed (layers.dsm.interpolation), refetching dsm');
		const done = events.filter((event) => event.type === 'tile-done');
		expect(done.filter((event) => event.layer === 'rgb').every((event) => event.skipped)).toBe(true);
		expect(done.filter((event) => event.layer === 'dsm').every((event) => !event.skipped)).toBe(true);
	});

	it('streams tiles with bounded lookahead', async () => {
		const dir = await newDir('stream');
		const streamPlan = demoPlan(32, 4, 3);
		let completed = 0;
		let consumed = 0;
		let mostWaiting = 0;
		const layerDone = new Map<string, number>();
		const options: FetchOptions = {
			plan: streamPlan,
			layers: demoLayers(service.url),
			runDir: dir,
			concurrency: {downloads: 2, perHost: 2},
			maxAhead: 1,
			http: testHttp,
			onEvent: (event) => {
				if (event.type !== 'tile-done') return;
				const count = (layerDone.get(event.tileId) ?? 0) + 1;
				layerDone.set(event.tileId, count);
				if (count === 2) completed++;
				mostWaiting = Math.max(mostWaiting, completed - consumed);
			},
		};
		const seen = new Set<string>();
		for await (const fetched of fetchTiles(options)) {
			seen.add(fetched.tile.id);
			expect(fetched.rgb.bbox).toEqual(fetched.tile.bbox);
			expect(fetched.dsm?.bbox).toEqual(fetched.tile.bbox);
			await new Promise((resolve) => setTimeout(resolve, 5));
			consumed++;
		}
		expect(seen.size).toBe(12);
		expect(mostWaiting).toBeLessThanOrEqual(1 + 2);
	});

	it('serves a --raster GeoTIFF back pixel-exact on its own grid', async () => {
		const dir = await newDir('raster');
		const width = 256;
		const height = 192;
		const bbox = {xmin: 500_000, ymin: 4_999_616, xmax: 500_512, ymax: 5_000_000};
		const rgbData = new Uint8Array(width * height * 3).map((_, index) => (index * 7919) % 251);
		const heightData = new Float32Array(width * height).map((_, index) => 100 + ((index * 37) % 1000) / 8);
		const rgbFile = path.join(dir, 'ortho.tif');
		const dsmFile = path.join(dir, 'surface.tif');
		await writeGeoTiffFile(rgbFile, {width, height, bands: 3, data: rgbData, bbox, epsg: 32633});
		await writeGeoTiffFile(dsmFile, {width, height, bands: 1, data: heightData, bbox, epsg: 32633, nodata: -9999});
		const rasters = await startImageService({port: 0, demo: false, rasters: [rgbFile, dsmFile]});
		try {
			const rasterPlan = makePlan({
				extent: {...bbox, crs: 'EPSG:32633'},
				crs: 'EPSG:32633',
				cellSize: 2,
				tileSize: 64,
				snap: {mode: 'anchor', alignToGrid: false},
				maxTiles: 100,
			});
			expect(rasterPlan.tiles).toHaveLength(12);
			const nearest = {interpolation: 'RSP_NearestNeighbor' as const};
			const layers = {
				rgb: layer(`${rasters.url}/ortho/ImageServer`, nearest),
				dsm: layer(`${rasters.url}/surface/ImageServer`, {...nearest, pixelType: 'F32', nodata: -9999}),
			};
			const out = path.join(dir, 'run');
			await fetchAll({plan: rasterPlan, layers, runDir: out, concurrency: {downloads: 4, perHost: 4}, http: testHttp});
			for (const tile of rasterPlan.tiles) {
				const rgb = await readGeoTiffFile(path.join(out, 'tiles', 'rgb', `${tile.id}.tif`));
				const dsm = await readGeoTiffFile(path.join(out, 'tiles', 'dsm', `${tile.id}.tif`));
				expect(rgb.epsg).toBe(32633);
				for (let row = 0; row < tile.height; row++) {
					const sourceRow = tile.row * 64 + row;
					const from = sourceRow * width + tile.col * 64;
					expect(
						Buffer.from(rgb.data.subarray(row * 64 * 3, (row + 1) * 64 * 3)).equals(
							Buffer.from(rgbData.subarray(from * 3, (from + 64) * 3)),
						),
					).toBe(true);
					expect(Array.from(dsm.data.subarray(row * 64, (row + 1) * 64))).toEqual(
						Array.from(heightData.subarray(from, from + 64)),
					);
				}
			}
		} finally {
			await rasters.close();
		}
	});
});

describe('failing clearly', () => {
	it('stops at once with exit 2 and writes nothing when the token is missing or wrong', async () => {
		const secured = await startImageService({port: 0, token: 'sesame-42'});
		try {
			const dir = await newDir('token');
			const out = path.join(dir, 'run');
			const base = {plan, runDir: out, concurrency: {downloads: 4, perHost: 4}, http: testHttp};
			const noToken = fetchAll({...base, layers: demoLayers(secured.url)});
			await expect(noToken).rejects.toBeInstanceOf(UserError);
			await expect(noToken).rejects.toMatchObject({
				exitCode: 2,
				message: expect.stringMatching(/token missing.*--set layers\.(rgb|dsm)\.token\.env=/),
			});

			const unset = fetchAll({
				...base,
				env: {},
				layers: {
					...demoLayers(secured.url),
					rgb: {...demoLayers(secured.url).rgb, token: {env: 'DEEPMASK_TEST_TOKEN'}},
				},
			});
			await expect(unset).rejects.toMatchObject({
				exitCode: 2,
				message: expect.stringContaining('export DEEPMASK_TEST_TOKEN='),
			});

			const token = {env: 'DEEPMASK_TEST_TOKEN'};
			const wrong = fetchAll({
				...base,
				env: {DEEPMASK_TEST_TOKEN: 'not-it'},
				layers: {rgb: {...demoLayers(secured.url).rgb, token}, dsm: {...demoLayers(secured.url).dsm, token}},
			});
			await expect(wrong).rejects.toMatchObject({
				exitCode: 2,
				message: expect.stringMatching(/token invalid.*DEEPMASK_TEST_TOKEN/),
			});
			expect(existsSync(out)).toBe(false);

			const events: FetchEvent[] = [];
			await fetchAll({
				...base,
				env: {DEEPMASK_TEST_TOKEN: 'sesame-42'},
				layers: {rgb: {...demoLayers(secured.url).rgb, token}, dsm: {...demoLayers(secured.url).dsm, token}},
				onEvent: collect(events),
			});
			const manifest = await readFile(path.join(out, 'manifest.json'), 'utf8');
			expect(manifest).not.toContain('sesame-42');
			expect(manifest).toContain('token=REDACTED');
			expect(JSON.stringify(events)).not.toContain('sesame-42');
		} finally {
			await secured.close();
		}
	});

	it('names the layer and URL of a service that is not there', async () => {
		const dir = await newDir('bad-url');
		const base = {plan, runDir: path.join(dir, 'run'), concurrency: {downloads: 2, perHost: 2}, http: testHttp};
		const missing = fetchAll({...base, layers: {rgb: layer(`${service.url}/Nowhere/MapServer`)}});
		await expect(missing).rejects.toBeInstanceOf(UserError);
		await expect(missing).rejects.toThrow(/layers\.rgb: .*\/Nowhere\/MapServer.*check layers\.rgb\.url/);
		const closed = await startImageService({port: 0});
		const closedUrl = closed.url;
		await closed.close();
		await expect(fetchAll({...base, layers: {rgb: layer(`${closedUrl}/Demo/Imagery/MapServer`)}})).rejects.toThrow(
			/layers\.rgb: cannot reach .*ECONNREFUSED/,
		);
		expect(existsSync(path.join(dir, 'run'))).toBe(false);
	});

	it('ends with a RunError naming the tile, layer and last error when retries run out, leaving nothing half-written', async () => {
		const proxy = await startSizeLimitedProxy(service.url, {
			onExport: (url) =>
				url.pathname.endsWith('exportImage')
					? {status: 503, contentType: 'text/html', body: '<html>Service Unavailable</html>'}
					: undefined,
		});
		try {
			const dir = await newDir('fail');
			const failing = fetchAll({
				plan,
				layers: demoLayers(proxy.url),
				runDir: dir,
				concurrency: {downloads: 2, perHost: 2},
				http: {...testHttp, retries: 2},
			});
			await expect(failing).rejects.toBeInstanceOf(RunError);
			await expect(failing).rejects.toThrow(
				/^tile r\d{3}_c\d{3}, layer dsm: layers\.dsm: HTTP 503 \(gave up after 3 attempts; last request http:\/\/127\.0\.0\.1:\d+\/.*exportImage\?/,
			);
			const names = [...(await tileFiles(dir)).keys()];
			expect(names.every((name) => /^rgb\/r\d{3}_c\d{3}\.tif$/.test(name))).toBe(true);
			const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
			expect(Object.values(manifest.stages.dsm).some((entry) => (entry as {state: string}).state === 'failed')).toBe(
				true,
			);
		} finally {
			await proxy.close();
		}
	});
});
