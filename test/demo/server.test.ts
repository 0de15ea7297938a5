import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {DEMO_ORIGIN, renderScene} from '../../source/demo/scene.js';
import {startImageService, type ImageService} from '../../source/demo/server.js';
import type {GeoRaster} from '../../source/engine/geo/georaster.js';
import {decodeGeoTiff, writeGeoTiffFile} from '../../source/engine/geo/geotiff.js';

const {x: ox, y: oy} = DEMO_ORIGIN;
const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-serve-'));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function getJson(url: string, init?: RequestInit): Promise<Json> {
	const response = await fetch(url, init);
	expect(response.status).toBe(200);
	return (await response.json()) as Json;
}

async function getBytes(url: string): Promise<{status: number; type: string | null; bytes: Uint8Array}> {
	const response = await fetch(url);
	return {
		status: response.status,
		type: response.headers.get('content-type'),
		bytes: new Uint8Array(await response.arrayBuffer()),
	};
}

/** Bytewise equality: much faster than a deep comparison of large typed arrays. */
function sameData(a: Uint8Array | Float32Array | undefined, b: Uint8Array | Float32Array | undefined): boolean {
	if (!a || !b || a.constructor !== b.constructor) return false;
	return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function query(parameters: Record<string, string | number>): string {
	return Object.entries(parameters)
		.map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`)
		.join('&');
}

const dsmRaster: GeoRaster = {
	width: 100,
	height: 80,
	bands: 1,
	data: Float32Array.from({length: 8000}, (_, i) => (i % 97 === 0 ? -9999 : 200 + i * 0.25)),
	bbox: {xmin: 500_000, ymin: 5_400_000, xmax: 500_200, ymax: 5_400_160},
	epsg: 25832,
	nodata: -9999,
};
const rgbRaster: GeoRaster = {
	width: 40,
	height: 30,
	bands: 3,
	data: Uint8Array.from({length: 3600}, (_, i) => (i * 13) & 0xff),
	bbox: {xmin: 7.5, ymin: 47.5, xmax: 7.5004, ymax: 47.5003},
	epsg: 4326,
};

let service: ImageService;

beforeAll(async () => {
	await writeGeoTiffFile(path.join(dir, 'lidar dsm.tif'), dsmRaster);
	await writeGeoTiffFile(path.join(dir, 'ortho.tif'), rgbRaster);
	service = await startImageService({rasters: [path.join(dir, 'lidar dsm.tif'), path.join(dir, 'ortho.tif')]});
});

afterAll(async () => {
	await service?.close();
	rmSync(dir, {recursive: true, force: true});
});

describe('local image service: descriptions', () => {
	it('lists its services by folder', async () => {
		const root = await getJson(`${service.url}?f=json`);
		expect(root.folders).toEqual(['Demo']);
		expect(root.services).toEqual([
			{name: 'lidar_dsm', type: 'ImageServer'},
			{name: 'ortho', type: 'ImageServer'},
		]);
		const demo = await getJson(`${service.url}/Demo?f=json`);
		expect(demo.services).toContainEqual({name: 'Demo/DSM', type: 'ImageServer'});
		expect(demo.services).toContainEqual({name: 'Demo/Imagery', type: 'MapServer'});
		expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/arcgis\/rest\/services$/);
	});

	it('describes an ImageServer with the real field set', async () => {
		const info = await getJson(`${service.url}/Demo/DSM/ImageServer?f=json`);
		expect(info).toMatchObject({
			capabilities: 'Image,Metadata',
			pixelType: 'F32',
			bandCount: 1,
			pixelSizeX: 0.5,
			pixelSizeY: 0.5,
			maxImageWidth: 2000,
			maxImageHeight: 2000,
			serviceDataType: 'esriImageServiceDataTypeElevation',
			spatialReference: {wkid: 102100, latestWkid: 3857},
		});
		expect(info.extent.spatialReference).toEqual({wkid: 102100, latestWkid: 3857});
		for (const field of [
			'currentVersion',
			'name',
			'description',
			'fullExtent',
			'initialExtent',
			'bandNames',
			'minValues',
			'maxValues',
			'defaultResamplingMethod',
			'allowRasterFunction',
			'hasColormap',
		]) {
			expect(info).toHaveProperty(field);
		}
		const rgb = await getJson(`${service.url}/Demo/Imagery/ImageServer?f=pjson`);
		expect(rgb).toMatchObject({pixelType: 'U8', bandCount: 3, maxImageWidth: 4096});
	});

	it('describes the MapServer with its formats and limits', async () => {
		const info = await getJson(`${service.url}/Demo/Imagery/MapServer?f=json`);
		expect(info).toMatchObject({
			capabilities: 'Map,Query,Data',
			maxImageWidth: 4096,
			maxImageHeight: 4096,
			spatialReference: {latestWkid: 3857},
		});
		expect(info.supportedImageFormatTypes.split(',')).toContain('TIFF');
	});

	it('answers an unknown service or path with a 404 error', async () => {
		const response = await fetch(`${service.url}/Demo/Nothing/ImageServer?f=json`);
		expect(response.status).toBe(404);
		expect(((await response.json()) as Json).error.code).toBe(404);
	});
});

describe('local image service: export', () => {
	const bbox = {xmin: ox + 100, ymin: oy - 50, xmax: ox + 356, ymax: oy + 78};
	const bboxText = `${bbox.xmin},${bbox.ymin},${bbox.xmax},${bbox.ymax}`;

	it("exportImage as GeoTIFF: the asked extent and size, the scene's pixels", async () => {
		const {status, type, bytes} = await getBytes(
			`${service.url}/Demo/DSM/ImageServer/exportImage?${query({bbox: bboxText, bboxSR: 3857, imageSR: 3857, size: '512,256', format: 'tiff', pixelType: 'F32', noData: -9999, f: 'image'})}`,
		);
		expect([status, type]).toEqual([200, 'image/tiff']);
		const raster = await decodeGeoTiff(bytes);
		expect(raster).toMatchObject({width: 512, height: 256, bands: 1, epsg: 3857, bbox, nodata: -9999});
		expect(sameData(raster.data, renderScene({bbox, width: 512, height: 256}, new Set(['dsm'])).dsm)).toBe(true);
		// A MapServer has no tiff export (strict-services.test.ts): its lossless picture is png24.
		const png = await getBytes(
			`${service.url}/Demo/Imagery/MapServer/export?${query({bbox: bboxText, size: '512,256', format: 'png24', f: 'image'})}`,
		);
		const rgb = await sharp(png.bytes).raw().toBuffer({resolveWithObject: true});
		expect(rgb.info.channels).toBe(3);
		expect(sameData(new Uint8Array(rgb.data), renderScene({bbox, width: 512, height: 256}, new Set(['rgb'])).rgb)).toBe(
			true,
		);
	});

	it('adjusts the aspect ratio about the centre and reports the extent it used', async () => {
		const info = await getJson(
			`${service.url}/Demo/Imagery/ImageServer/exportImage?${query({bbox: bboxText, size: '200,200', format: 'tiff', f: 'json'})}`,
		);
		expect(info).toMatchObject({
			width: 200,
			height: 200,
			extent: {
				xmin: bbox.xmin,
				xmax: bbox.xmax,
				ymin: oy + 14 - 128,
				ymax: oy + 14 + 128,
				spatialReference: {latestWkid: 3857},
			},
		});
		expect(info.scale).toBeGreaterThan(0);
		const image = await getBytes(info.href);
		expect(image.type).toBe('image/tiff');
		const raster = await decodeGeoTiff(image.bytes);
		expect(raster.bbox).toEqual({
			xmin: info.extent.xmin,
			ymin: info.extent.ymin,
			xmax: info.extent.xmax,
			ymax: info.extent.ymax,
		});

		const kept = await getJson(
			`${service.url}/Demo/Imagery/ImageServer/exportImage?${query({bbox: bboxText, size: '200,200', adjustAspectRatio: 'false', f: 'json'})}`,
		);
		expect(kept.extent).toMatchObject(bbox);
	});

	it('answers an oversized request as ArcGIS does: HTTP 200, labelled as the image, JSON inside', async () => {
		const {status, type, bytes} = await getBytes(
			`${service.url}/Demo/DSM/ImageServer/exportImage?${query({bbox: bboxText, size: '2001,100', adjustAspectRatio: 'false', format: 'tiff', f: 'image'})}`,
		);
		expect([status, type]).toEqual([200, 'image/tiff']);
		expect(JSON.parse(Buffer.from(bytes).toString('utf8'))).toEqual({
			error: {
				code: 400,
				extendedCode: -2147024809,
				message: 'Invalid or missing input parameters.',
				details: ['The requested image exceeds the size limit.'],
			},
		});
		const map = await getJson(
			`${service.url}/Demo/Imagery/MapServer/export?${query({bbox: bboxText, size: '4097,10', adjustAspectRatio: 'false', f: 'json'})}`,
		);
		expect(map.error.details).toEqual(['The requested image exceeds the size limit.']);
		const fits = await getBytes(
			`${service.url}/Demo/DSM/ImageServer/exportImage?${query({bbox: bboxText, size: '2000,10', adjustAspectRatio: 'false', format: 'tiff', f: 'image'})}`,
		);
		expect(Buffer.from(fits.bytes.subarray(0, 2)).toString('latin1')).toBe('II');
	});

	it('rejects bad parameters with an error body', async () => {
		const bad = await getJson(`${service.url}/Demo/DSM/ImageServer/exportImage?${query({bbox: '1,2,3', f: 'json'})}`);
		expect(bad.error.details).toEqual(["'bbox' parameter is invalid."]);
		const sr = await getJson(
			`${service.url}/Demo/DSM/ImageServer/exportImage?${query({bbox: bboxText, imageSR: 999999, f: 'json'})}`,
		);
		expect(sr.error.details).toEqual(["'imageSR' parameter is invalid."]);
		const bands = await getJson(
			`${service.url}/Demo/DSM/ImageServer/exportImage?${query({bbox: bboxText, bandIds: '1', f: 'json'})}`,
		);
		expect(bands.error.details).toEqual(["'bandIds' parameter is invalid."]);
	});

	it('writes PNG and JPEG (jpgpng is the default), defaults to 400×400', async () => {
		const magic = async (parameters: Record<string, string | number>) =>
			Buffer.from(
				(
					await getBytes(
						`${service.url}/Demo/Imagery/ImageServer/exportImage?${query({bbox: bboxText, size: '64,32', f: 'image', ...parameters})}`,
					)
				).bytes.subarray(0, 4),
			).toString('hex');
		expect(await magic({})).toMatch(/^ffd8ff/);
		expect(await magic({format: 'png'})).toBe('89504e47');
		expect(await magic({format: 'jpg'})).toMatch(/^ffd8ff/);
		const info = await getJson(
			`${service.url}/Demo/Buildings/ImageServer/exportImage?${query({bbox: bboxText, f: 'json'})}`,
		);
		expect([info.width, info.height]).toEqual([400, 400]);
	});

	it('takes a bbox in EPSG:4326 and can answer in EPSG:4326', async () => {
		const lonLat = '8.98,47.35,8.985,47.353';
		const info = await getJson(
			`${service.url}/Demo/Buildings/ImageServer/exportImage?${query({bbox: lonLat, bboxSR: 4326, size: '300,300', adjustAspectRatio: 'false', f: 'json'})}`,
		);
		expect(info.extent.spatialReference.latestWkid).toBe(3857);
		// 8.98° east on the sphere of Web Mercator.
		expect(info.extent.xmin).toBeCloseTo((6_378_137 * 8.98 * Math.PI) / 180, 3);
		const geographic = await decodeGeoTiff(
			(
				await getBytes(
					`${service.url}/Demo/Buildings/ImageServer/exportImage?${query({bbox: lonLat, bboxSR: 4326, imageSR: 4326, size: '200,120', format: 'tiff', f: 'image'})}`,
				)
			).bytes,
		);
		expect(geographic.epsg).toBe(4326);
		expect(geographic.bbox.xmin).toBeCloseTo(8.98, 10);
		expect(new Set(geographic.data)).toEqual(new Set([0, 1]));
	});
});

describe('local image service: GeoTIFF rasters', () => {
	it('describes a raster in its own CRS', async () => {
		const info = await getJson(`${service.url}/lidar_dsm/ImageServer?f=json`);
		expect(info).toMatchObject({
			pixelType: 'F32',
			bandCount: 1,
			pixelSizeX: 2,
			spatialReference: {wkid: 25832, latestWkid: 25832},
			extent: {...dsmRaster.bbox},
		});
	});

	it('serves it pixel-exact on its own grid, nodata outside', async () => {
		const exportRaster = async (bbox: number[], size: string, extra: Record<string, string> = {}) =>
			decodeGeoTiff(
				(
					await getBytes(
						`${service.url}/lidar_dsm/ImageServer/exportImage?${query({bbox: bbox.join(','), bboxSR: 25832, imageSR: 25832, size, format: 'tiff', pixelType: 'F32', f: 'image', ...extra})}`,
					)
				).bytes,
			);
		const whole = await exportRaster([500_000, 5_400_000, 500_200, 5_400_160], '100,80');
		expect(sameData(whole.data, dsmRaster.data)).toBe(true);
		expect(whole.nodata).toBe(-9999);
		const bilinear = await exportRaster([500_000, 5_400_000, 500_200, 5_400_160], '100,80', {
			interpolation: 'RSP_BilinearInterpolation',
		});
		expect(sameData(bilinear.data, dsmRaster.data)).toBe(true);
		// Columns 10..29, rows 5..14, and beyond the right edge by 10 columns.
		const part = await exportRaster([500_020, 5_400_160 - 30, 500_060, 5_400_160 - 10], '20,10');
		for (let r = 0; r < 10; r++)
			for (let c = 0; c < 20; c++) expect(part.data[r * 20 + c]).toBe(dsmRaster.data[(r + 5) * 100 + c + 10]);
		const edge = await exportRaster([500_180, 5_400_140, 500_220, 5_400_160], '20,10');
		expect(edge.data[19]).toBe(-9999);
		expect(edge.data[0]).toBe(dsmRaster.data[90]);
	});

	it('reorders bands with bandIds', async () => {
		const {bytes} = await getBytes(
			`${service.url}/ortho/ImageServer/exportImage?${query({bbox: '7.5,47.5,7.5004,47.5003', bboxSR: 4326, size: '40,30', format: 'tiff', bandIds: '2,1,0', f: 'image'})}`,
		);
		const raster = await decodeGeoTiff(bytes);
		expect(raster.epsg).toBe(4326);
		expect([raster.data[0], raster.data[1], raster.data[2]]).toEqual([
			rgbRaster.data[2],
			rgbRaster.data[1],
			rgbRaster.data[0],
		]);
		expect(raster.data[3 * 1199]).toBe(rgbRaster.data[3 * 1199 + 2]);
	});
});

describe('local image service: tokens and faults', () => {
	it('wants its token: 499 without, 498 wrong, served with it in the query or a header', async () => {
		const secured = await startImageService({token: 's3cret', demo: true});
		try {
			const info = `${secured.url}/Demo/DSM/ImageServer?f=json`;
			expect(await getJson(info)).toEqual({error: {code: 499, message: 'Token Required', details: []}});
			expect((await getJson(`${info}&token=nope`)).error).toMatchObject({code: 498, message: 'Invalid Token'});
			expect((await getJson(`${info}&token=s3cret`)).capabilities).toBe('Image,Metadata');
			expect((await getJson(info, {headers: {Authorization: 'Bearer s3cret'}})).capabilities).toBe('Image,Metadata');
			const exported = await getJson(
				`${secured.url}/Demo/DSM/ImageServer/exportImage?bbox=${ox},${oy},${ox + 10},${oy + 10}&f=json`,
			);
			expect(exported.error.code).toBe(499);
		} finally {
			await secured.close();
		}
	});

	it('fails requests at the configured rate, the same ones for the same seed', async () => {
		const faulty = await startImageService({faults: {errorRate: 0.3, seed: 42}});
		try {
			const statuses = async () => {
				const out: number[] = [];
				for (let k = 0; k < 200; k++)
					out.push((await fetch(`${faulty.url}?f=json`).then(async (r) => (await r.arrayBuffer(), r))).status);
				return out;
			};
			const first = await statuses();
			const failed = first.filter((status) => status >= 500);
			expect(failed.length / 200).toBeGreaterThan(0.2);
			expect(failed.length / 200).toBeLessThan(0.4);
			expect(new Set(failed)).toEqual(new Set([500, 502, 503]));
			faulty.setFaults({errorRate: 0.3, seed: 42});
			expect(await statuses()).toEqual(first);
			expect(faulty.requestCount()).toBe(400);
		} finally {
			await faulty.close();
		}
	});

	it('sends ArcGIS error bodies, truncated bodies and stalls', async () => {
		const faulty = await startImageService({faults: {errorBodyRate: 1}});
		try {
			const body = await getJson(
				`${faulty.url}/Demo/DSM/ImageServer/exportImage?bbox=${ox},${oy},${ox + 10},${oy + 10}&f=image`,
			);
			expect(body.error).toMatchObject({code: 500, message: 'Error exporting image'});

			faulty.setFaults({truncateRate: 1});
			await expect(
				fetch(
					`${faulty.url}/Demo/DSM/ImageServer/exportImage?bbox=${ox},${oy},${ox + 100},${oy + 100}&size=200,200&format=tiff&f=image`,
				).then((r) => r.arrayBuffer()),
			).rejects.toThrow();

			faulty.setFaults({stallRate: 1});
			await expect(fetch(`${faulty.url}?f=json`, {signal: AbortSignal.timeout(300)})).rejects.toThrow(/abort|timeout/i);

			faulty.setFaults({});
			expect((await getJson(`${faulty.url}?f=json`)).folders).toEqual(['Demo']);
		} finally {
			await faulty.close();
		}
	});

	it('refuses impossible fault settings', async () => {
		await expect(startImageService({faults: {errorRate: 0.7, stallRate: 0.5}})).rejects.toThrow(/more than 1/);
	});
});
