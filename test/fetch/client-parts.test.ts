import {mkdirSync} from 'node:fs';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {Manifest} from '../../source/engine/run-folder/manifest.js';
import {fingerprintChanges, tileFingerprint} from '../../source/engine/run-folder/tile-fingerprint.js';
import {arcGisFingerprint} from '../../source/engine/sources/arcgis/arcgis-layer.js';
import {loopbackRewrite} from '../../source/app/loopback.js';
import {redact} from '../../source/engine/sources/redact.js';
import sharp from 'sharp';
import {encodeGeoTiff} from '../../source/engine/geo/geotiff.js';
import {
	decodeImage,
	judgeImageResponse,
	judgeJsonResponse,
	ResponseProblem,
} from '../../source/engine/sources/arcgis/response.js';
import {parseServiceInfo} from '../../source/engine/sources/arcgis/service-info.js';
import {halveWindow, splitWindow, windowBbox} from '../../source/engine/sources/arcgis/windows.js';
import type {LayerConfig} from '../../source/config/preset-schema.js';

const body = (text: string) => new Uint8Array(Buffer.from(text));

function problemOf(action: () => unknown): ResponseProblem {
	try {
		action();
	} catch (error) {
		if (error instanceof ResponseProblem) return error;
		throw error;
	}
	throw new Error('no problem reported');
}

describe('splitting requests', () => {
	it('covers every pixel once, within the limits, with bit-identical shared edges', () => {
		fc.assert(
			fc.property(
				fc.integer({min: 1, max: 3000}),
				fc.integer({min: 1, max: 3000}),
				fc.integer({min: 200, max: 2000}),
				fc.integer({min: 200, max: 2000}),
				(width, height, maxWidth, maxHeight) => {
					const windows = splitWindow(width, height, maxWidth, maxHeight);
					let area = 0;
					for (const window of windows) {
						expect(window.width).toBeLessThanOrEqual(maxWidth);
						expect(window.height).toBeLessThanOrEqual(maxHeight);
						expect(window.width).toBeGreaterThan(0);
						area += window.width * window.height;
					}
					expect(area).toBe(width * height);
					const bbox = {
						xmin: 1000000.123,
						ymin: 6000000.7,
						xmax: 1000000.123 + width * 0.3,
						ymax: 6000000.7 + height * 0.3,
					};
					for (const a of windows) {
						for (const b of windows) {
							if (
								a.x + a.width === b.x &&
								a.y === b.y &&
								windowBbox(bbox, width, height, a).xmax !== windowBbox(bbox, width, height, b).xmin
							)
								return false;
							if (
								a.y + a.height === b.y &&
								a.x === b.x &&
								windowBbox(bbox, width, height, a).ymin !== windowBbox(bbox, width, height, b).ymax
							)
								return false;
						}
					}
					return true;
				},
			),
			{numRuns: 100},
		);
	});

	it('keeps the outer edges exact and halves across the longer side', () => {
		const bbox = {xmin: 1, ymin: 2, xmax: 1 + 0.1 * 700, ymax: 2 + 0.1 * 300};
		const [whole] = splitWindow(700, 300, 4096, 4096);
		expect(windowBbox(bbox, 700, 300, whole)).toEqual(bbox);
		expect(halveWindow(whole)).toEqual([
			{x: 0, y: 0, width: 350, height: 300},
			{x: 350, y: 0, width: 350, height: 300},
		]);
		expect(halveWindow({x: 3, y: 4, width: 1, height: 1})).toBeUndefined();
	});
});

describe('judging responses', () => {
	const ok = (text: string) => ({status: 200, body: body(text)});

	it('tells the size limit, token and other errors apart, whatever the status says', () => {
		const size =
			'{"error":{"code":400,"extendedCode":-2147024809,"message":"Invalid or missing input parameters.","details":["The requested image exceeds the size limit."]}}';
		expect(problemOf(() => judgeImageResponse({...ok(size), contentType: 'image/tiff'})).kind).toBe('size');
		expect(
			problemOf(() => judgeImageResponse(ok('{"error":{"code":499,"message":"Token Required","details":[]}}'))).kind,
		).toBe('auth');
		expect(problemOf(() => judgeImageResponse(ok('{"error":{"code":498,"message":"Invalid Token"}}'))).kind).toBe(
			'auth',
		);
		expect(
			problemOf(() => judgeImageResponse(ok('{"error":{"code":500,"message":"Error exporting image"}}'))).kind,
		).toBe('transient');
		expect(
			problemOf(() =>
				judgeImageResponse(ok('{"error":{"code":400,"message":"x","details":["\'imageSR\' parameter is invalid."]}}')),
			).kind,
		).toBe('fatal');
		expect(problemOf(() => judgeImageResponse(ok('<html><body>Bad Gateway</body></html>'))).kind).toBe('transient');
		expect(problemOf(() => judgeImageResponse({status: 503, body: body('busy')})).kind).toBe('transient');
		expect(problemOf(() => judgeImageResponse({status: 404, body: body('<html>not found</html>')})).kind).toBe('fatal');
		expect(problemOf(() => judgeImageResponse(ok(''))).kind).toBe('transient');
	});

	it('recognises images by their magic bytes', () => {
		expect(
			judgeImageResponse({
				status: 200,
				contentType: 'text/plain',
				body: new Uint8Array([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0]),
			}),
		).toBe('tiff');
		expect(judgeImageResponse({status: 200, body: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10])})).toBe(
			'png',
		);
		expect(judgeImageResponse({status: 200, body: new Uint8Array([0xff, 0xd8, 0xff, 0xe0])})).toBe('jpeg');
	});

	it('decodes palette TIFFs and RGBA PNGs to RGB and rejects truncated or wrongly sized images', async () => {
		const palette = await encodeGeoTiff({
			width: 2,
			height: 1,
			bands: 1,
			data: new Uint8Array([0, 1]),
			bbox: {xmin: 0, ymin: 0, xmax: 2, ymax: 1},
			epsg: 3857,
			colorMap: [
				[10, 20, 30],
				[200, 100, 50],
			],
		});
		const rgb = await decodeImage(palette, 'tiff', {width: 2, height: 1, bands: 3, pixelType: 'U8'});
		expect(Array.from(rgb.data)).toEqual([10, 20, 30, 200, 100, 50]);
		const png = new Uint8Array(
			await sharp(Buffer.from([1, 2, 3, 255, 4, 5, 6, 0]), {raw: {width: 2, height: 1, channels: 4}})
				.png()
				.toBuffer(),
		);
		expect(Array.from((await decodeImage(png, 'png', {width: 2, height: 1, bands: 3, pixelType: 'U8'})).data)).toEqual([
			1, 2, 3, 4, 5, 6,
		]);
		await expect(decodeImage(png, 'png', {width: 3, height: 1, bands: 3, pixelType: 'U8'})).rejects.toMatchObject({
			kind: 'transient',
			message: expect.stringContaining('2×1 image instead of the 3×1'),
		});
		await expect(
			decodeImage(png.subarray(0, png.length - 20), 'png', {width: 2, height: 1, bands: 3, pixelType: 'U8'}),
		).rejects.toMatchObject({kind: 'transient'});
	});

	it('reads a service description and refuses one without the Image capability', () => {
		const info = parseServiceInfo(
			'ImageServer',
			judgeJsonResponse(
				ok(
					'{"capabilities":"Image,Metadata","maxImageWidth":2000,"maxImageHeight":1500,"pixelType":"F32","bandCount":1,"spatialReference":{"wkid":102100}}',
				),
			),
		);
		expect(info).toMatchObject({maxImageWidth: 2000, maxImageHeight: 1500, pixelType: 'F32', bandCount: 1, epsg: 3857});
		expect(() => parseServiceInfo('ImageServer', {capabilities: 'Catalog,Metadata'})).toThrow(/"Image" capability/);
		expect(
			parseServiceInfo('MapServer', {capabilities: 'Map,Query', supportedImageFormatTypes: 'PNG32,png24,TIFF'})
				.imageFormats,
		).toEqual(['PNG32', 'PNG24', 'TIFF']);
	});
});

describe('urls', () => {
	it('redacts tokens anywhere in a text', () => {
		expect(redact('GET http://h/x/ImageServer/exportImage?bbox=1,2,3,4&token=s3cr3t-._~&f=image failed')).toBe(
			'GET http://h/x/ImageServer/exportImage?bbox=1,2,3,4&token=REDACTED&f=image failed',
		);
		expect(redact('http://h/x?token=abc')).toBe('http://h/x?token=REDACTED');
	});

	it('redacts the credentials of presigned, keyed and user-info URLs, and nothing else', () => {
		expect(
			redact(
				'https://b.s3.amazonaws.com/dem.tif?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=9f86d08&X-Amz-Security-Token=IQo',
			),
		).toBe(
			'https://b.s3.amazonaws.com/dem.tif?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Security-Token=REDACTED',
		);
		expect(redact('https://a.blob.core.windows.net/c/o.tif?sv=2024-05-04&se=2026-12-01&sp=r&sig=abc%3D')).toBe(
			'https://a.blob.core.windows.net/c/o.tif?sv=2024-05-04&se=2026-12-01&sp=r&sig=REDACTED',
		);
		expect(redact('https://api.maptiler.com/tiles/satellite/{z}/{x}/{y}.jpg?key=K3y&lang=en')).toBe(
			'https://api.maptiler.com/tiles/satellite/{z}/{x}/{y}.jpg?key=REDACTED&lang=en',
		);
		expect(redact('cannot reach https://me:pa55@tiles.example.com/{z}/{x}/{y}.png?access_token=pk.1')).toBe(
			'cannot reach https://REDACTED@tiles.example.com/{z}/{x}/{y}.png?access_token=REDACTED',
		);
		expect(redact('/data/monkey=1/dem.tif and http://h/x/ImageServer?bandIds=0,1&keyword=roads')).toBe(
			'/data/monkey=1/dem.tif and http://h/x/ImageServer?bandIds=0,1&keyword=roads',
		);
	});

	it('fingerprints hold no credential: a rotated signature is the same layer', () => {
		const layer = (url: string) => ({url, kind: 'ImageServer', pixelType: 'U8', interpolation: 'bilinear'}) as never;
		const first = arcGisFingerprint(layer('https://h/x/ImageServer?token=one'), undefined);
		const second = arcGisFingerprint(layer('https://h/x/ImageServer?token=two'), undefined);
		expect(JSON.stringify(first)).not.toMatch(/one|two/);
		expect(first).toEqual(second);
	});

	it('sends loopback URLs to the embedded service and leaves others alone', () => {
		const rewrite = loopbackRewrite('http://127.0.0.1:45678/arcgis/rest/services');
		expect(rewrite('http://127.0.0.1:7070/arcgis/rest/services/Demo/DSM/ImageServer?f=json')).toBe(
			'http://127.0.0.1:45678/arcgis/rest/services/Demo/DSM/ImageServer?f=json',
		);
		expect(rewrite('http://localhost:7070/a/ImageServer')).toBe('http://127.0.0.1:45678/a/ImageServer');
		expect(rewrite('https://example.com/a/ImageServer')).toBe('https://example.com/a/ImageServer');
	});
});

describe('manifest', () => {
	let dir: string | undefined;
	afterEach(async () => {
		if (dir) await rm(dir, {recursive: true, force: true});
	});

	it('coalesces saves, keeps the latest state and reopens it', async () => {
		dir = await mkdtemp(path.join(os.tmpdir(), 'deepmask-manifest-'));
		const manifest = await Manifest.open(dir);
		const saves: Promise<void>[] = [];
		for (let i = 0; i < 20; i++) {
			manifest.set('rgb', `r000_c${String(i).padStart(3, '0')}`, {state: 'done', bytes: i});
			saves.push(manifest.save());
		}
		manifest.set('prob', 'r000_c000', {state: 'done', file: 'prob/r000_c000.tif'});
		await Promise.all([...saves, manifest.save()]);
		const reopened = await Manifest.open(dir);
		expect(reopened.entries('rgb')).toHaveLength(20);
		expect(reopened.get('rgb', 'r000_c019')).toEqual({state: 'done', bytes: 19});
		expect(reopened.get('prob', 'r000_c000')?.file).toBe('prob/r000_c000.tif');
		expect(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')).version).toBe(1);
	});

	it('saves soon: the first burst of tiles at once, later ones a second apart, and a save writes at once', async () => {
		dir = await mkdtemp(path.join(os.tmpdir(), 'deepmask-manifest-soon-'));
		const reopened = () => Manifest.open(dir!);
		const manifest = await Manifest.open(dir);
		const burst = (from: number) => {
			for (let i = from; i < from + 50; i++) {
				manifest.set('rgb', `r000_c${String(i).padStart(3, '0')}`, {state: 'done', bytes: i});
				manifest.saveSoon();
			}
		};
		burst(0);
		await vi.waitFor(async () => expect((await reopened()).entries('rgb')).toHaveLength(50), {timeout: 5000});
		burst(50);
		await new Promise((resolve) => setTimeout(resolve, 200));
		// Within a second of the last write: not written yet.
		expect((await reopened()).entries('rgb')).toHaveLength(50);
		await vi.waitFor(async () => expect((await reopened()).entries('rgb')).toHaveLength(100), {timeout: 5000});
		manifest.set('prob', 'r000_c000', {state: 'done'});
		manifest.saveSoon();
		await manifest.save();
		expect((await reopened()).get('prob', 'r000_c000')).toEqual({state: 'done'});
	});

	it('reports a failed save soon at the next save', async () => {
		dir = await mkdtemp(path.join(os.tmpdir(), 'deepmask-manifest-fail-'));
		const manifest = await Manifest.open(dir);
		// A folder where the file should be: every write of it fails.
		mkdirSync(path.join(dir, 'manifest.json'));
		manifest.set('rgb', 'r000_c000', {state: 'done'});
		manifest.saveSoon();
		await new Promise((resolve) => setTimeout(resolve, 1500));
		await expect(manifest.save()).rejects.toThrow(/manifest\.json/);
	});

	it('names what changed in a fingerprint in preset terms', () => {
		const layer: LayerConfig = {
			url: 'http://a/DSM/ImageServer',
			kind: 'ImageServer',
			pixelType: 'F32',
			nodata: -9999,
			interpolation: 'RSP_BilinearInterpolation',
			maxRequestSize: 2048,
		};
		const tile = {
			id: 'r000_c000',
			row: 0,
			col: 0,
			bbox: {xmin: 0, ymin: 0, xmax: 64, ymax: 64},
			width: 128,
			height: 128,
		};
		const stored = tileFingerprint(arcGisFingerprint(layer, -9999), tile, 'EPSG:3857');
		expect(
			fingerprintChanges('dsm', stored, tileFingerprint(arcGisFingerprint(layer, -9999), tile, 'EPSG:3857')),
		).toEqual([]);
		expect(
			fingerprintChanges(
				'dsm',
				stored,
				tileFingerprint(
					arcGisFingerprint({...layer, url: 'http://b/DSM/ImageServer'}, -9999),
					{...tile, width: 256},
					'EPSG:3857',
				),
			),
		).toEqual(['layers.dsm.url', 'size']);
	});
});
