import {readFile, rm} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startImageService, type ImageService} from '../../source/demo/server.js';
import {fetchAll} from '../../source/engine/fetch/fetch-tiles.js';
import {encodeGeoTiff, readGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {demoPlan, layer, startSizeLimitedProxy, tempDir, testHttp} from './helpers.js';
import {placedAt} from '../helpers/tiff-tags.js';

let service: ImageService;
const dirs: string[] = [];

beforeAll(async () => {
	service = await startImageService({port: 0});
});

afterAll(async () => {
	await service.close();
	await Promise.all(dirs.map((dir) => rm(dir, {recursive: true, force: true})));
});

/**
 * An RGB answer whose nodata tag is 7: its first column is (7, 7, 7), no data; its second (7, 7, 8), a
 * colour that only shares the value in two bands, which is data.
 */
function answerWithNodataColumn(width: number, height: number): Promise<Uint8Array> {
	const data = new Uint8Array(width * height * 3).fill(100);
	for (let row = 0; row < height; row++) {
		data.fill(7, row * width * 3, row * width * 3 + 6);
		data[row * width * 3 + 5] = 8;
	}
	const bbox = {xmin: 0, ymin: 0, xmax: width, ymax: height};
	return encodeGeoTiff({width, height, bands: 3, data, bbox, epsg: 3857, nodata: 7});
}

describe('RGB pixels without data from an ArcGIS service', () => {
	it("are every band at the answer's nodata tag, masked in each piece of a split request", async () => {
		// Every piece is 8 × 8 (maxRequestSize 8).
		const body = await answerWithNodataColumn(8, 8);
		const proxy = await startSizeLimitedProxy(service.url, {
			// Each piece placed where it was asked for, as a real server's answer is.
			onExport: (url) => {
				const [xmin, ymin, xmax, ymax] = (url.searchParams.get('bbox') ?? '').split(',').map(Number);
				return {
					status: 200,
					contentType: 'image/tiff',
					body: placedAt(Buffer.from(body), {xmin, ymin, xmax, ymax}, 8, 8),
				};
			},
		});
		try {
			const runDir = await tempDir('rgb-nodata');
			dirs.push(runDir);
			const plan = demoPlan(16, 1, 1);
			await fetchAll({
				plan,
				layers: {rgb: layer(`${proxy.url}/Demo/Imagery/ImageServer`, {maxRequestSize: 8})},
				runDir,
				concurrency: {downloads: 1, perHost: 1},
				http: testHttp,
			});
			const rgb = await readGeoTiffFile(path.join(runDir, 'tiles', 'rgb', 'r000_c000.tif'));
			// Four 8 × 8 pieces: the first column of each has no data.
			const expected = new Uint8Array(16 * 16).map((_, p) => (p % 8 === 0 ? 1 : 0));
			expect(rgb.nodataMask).toEqual(expected);
		} finally {
			await proxy.close();
		}
	});

	it('asks a MapServer to leave what it does not draw transparent for the RGB layer only', async () => {
		const runDir = await tempDir('rgb-transparent');
		dirs.push(runDir);
		const mapServer = `${service.url}/Demo/Imagery/MapServer`;
		await fetchAll({
			plan: demoPlan(16, 1, 1),
			layers: {rgb: layer(mapServer), dsm: layer(mapServer)},
			runDir,
			concurrency: {downloads: 1, perHost: 1},
			http: testHttp,
		});
		const manifest = await readFile(path.join(runDir, 'manifest.json'), 'utf8');
		expect(manifest.match(/transparent=\w+/g)?.sort()).toEqual(['transparent=false', 'transparent=true']);
	});
});
