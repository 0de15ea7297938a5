/**
 * Hostile requests to the local service (`deepmask serve`, the demo; issue 17, items 4, 5 and 10): each is
 * refused the way a real ArcGIS Server refuses it, at once, and the service stays up.
 */
import {truncateSync, writeFileSync} from 'node:fs';
import {request as httpRequest} from 'node:http';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startImageService, type ImageService} from '../../source/demo/server.js';
import {spawnCli, tempDir} from './helpers.js';

let service: ImageService;

beforeAll(async () => {
	service = await startImageService({port: 0});
});

afterAll(async () => {
	await service.close();
});

/** A POST announcing `length` bytes that sends only its first 64 KiB, and the answer to it. */
function postAnnouncing(url: string, length: number): Promise<{status: number; body: string}> {
	return new Promise((resolve, reject) => {
		const request = httpRequest(url, {
			method: 'POST',
			headers: {'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(length)},
			timeout: 10_000,
		});
		request.on('response', (response) => {
			let body = '';
			response.on('data', (chunk: Buffer) => (body += chunk.toString()));
			response.on('end', () => resolve({status: response.statusCode ?? 0, body}));
		});
		request.on('timeout', () => request.destroy(new Error('no answer in 10 s')));
		request.on('error', reject);
		request.write(Buffer.alloc(64 * 1024, 'a'));
	});
}

describe('the local service under hostile requests', () => {
	it('refuses a bbox outside its CRS (1e300 in Web Mercator) as an invalid extent, at once', async () => {
		for (const service_ of ['Demo/DSM/ImageServer/exportImage', 'Demo/Imagery/MapServer/export']) {
			const started = Date.now();
			const answer = await fetch(`${service.url}/${service_}?bbox=1e300,1e300,1.1e300,1.1e300&size=10,10&f=json`, {
				signal: AbortSignal.timeout(10_000),
			});
			const body = (await answer.json()) as {error?: {code: number; details: string[]}};
			expect(body.error?.code).toBe(400);
			expect(body.error?.details).toEqual(["'bbox' parameter is invalid."]);
			expect(Date.now() - started).toBeLessThan(5000);
		}
		const info = await fetch(`${service.url}/Demo/DSM/ImageServer?f=json`);
		expect(info.status).toBe(200);
	});

	it('serve --raster of a directory, or of a raster over 2 GiB, exits 2 naming the file and the fix', async () => {
		const dir = tempDir('serve-raster');
		const directory = await spawnCli(['serve', '--port', '0', '--raster', dir]);
		expect(directory.code, directory.stderr).toBe(2);
		expect(directory.stderr).toContain(`--raster ${dir} is a directory; give its GeoTIFFs, e.g. --raster ${dir}/*.tif`);

		// Sparse: 2 GiB and a byte that take no disk.
		const huge = path.join(dir, 'huge.tif');
		writeFileSync(huge, '');
		truncateSync(huge, 2 ** 31 + 1);
		const tooLarge = await spawnCli(['serve', '--port', '0', '--raster', huge]);
		expect(tooLarge.code, tooLarge.stderr).toBe(2);
		expect(tooLarge.stderr).toContain(
			`--raster ${huge} is 2.0 GiB; the local service reads a raster whole, at most 2 GiB`,
		);
		expect(tooLarge.stderr).toContain('gdal_translate -srcwin');
	});

	it('caps what it accepts: a long query or a repeated parameter is 400, a 300 MB POST 413 before it is read', async () => {
		const exportUrl = `${service.url}/Demo/DSM/ImageServer/exportImage`;
		const repeated = await fetch(`${exportUrl}?${Array.from({length: 100}, () => 'bandIds=0').join('&')}&f=json`);
		expect(repeated.status).toBe(400);
		expect(await repeated.text()).toContain("'bandIds' is given more than once");

		const long = await fetch(`${exportUrl}?f=json&x=${'a'.repeat(10_000)}`);
		expect(long.status).toBe(400);
		expect(await long.text()).toContain('the query string is over');

		const started = Date.now();
		const huge = await postAnnouncing(exportUrl, 300e6);
		expect(huge.status).toBe(413);
		expect(huge.body).toContain('the request body is over 1048576 bytes');
		expect(Date.now() - started).toBeLessThan(5000);

		const info = await fetch(`${service.url}/Demo/DSM/ImageServer?f=json`);
		expect(info.status).toBe(200);
	});
});
