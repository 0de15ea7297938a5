/**
 * Hostile requests to the local service (`deepmask serve`, the demo; issue 17, items 4, 5 and 10): each is
 * refused the way a real ArcGIS Server refuses it, at once, and the service stays up.
 */
import {truncateSync, writeFileSync} from 'node:fs';
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
});
