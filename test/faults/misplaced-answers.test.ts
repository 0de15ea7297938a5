/**
 * An upstream whose TIFF says it lies elsewhere than asked (issue 17, item 6): 3 km east, or in another
 * CRS. The run fails naming the service, the expected and the returned place, instead of writing the
 * pixels at the requested place.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startImageService, type ImageService} from '../../source/demo/server.js';
import {startProxy, type Answer} from '../helpers/proxy.js';
import {inProjectedCrs, movedEast} from '../helpers/tiff-tags.js';
import {spawnCli, tempDir, tinyExtent, tinySets} from './helpers.js';

let service: ImageService;

beforeAll(async () => {
	service = await startImageService({port: 0});
});

afterAll(async () => {
	await service.close();
});

async function runThrough(rewriteTiff: (tiff: Buffer) => Buffer) {
	const proxy = await startProxy(service.url, {
		rewrite: (url, answer): Answer =>
			/exportImage$/i.test(url.pathname) && answer.status === 200
				? {...answer, body: rewriteTiff(Buffer.from(answer.body))}
				: answer,
	});
	try {
		const dir = tempDir('misplaced');
		const sets = tinySets(proxy.url).flatMap((set) => ['--set', set]);
		const result = await spawnCli([
			'run',
			...['--preset', 'demo', '--extent', tinyExtent, ...sets, '--out', dir, '--yes'],
		]);
		return {...result, proxy: proxy.url};
	} finally {
		await proxy.close();
	}
}

describe('an upstream answer georeferenced elsewhere than asked', () => {
	it('3 km east: the layer fails naming the service, the expected and the returned place', async () => {
		const result = await runThrough((tiff) => movedEast(tiff, 3000));
		expect(result.code, result.stderr).toBe(1);
		expect(result.stderr).toContain(`layers.dsm: ${result.proxy}/Demo/DSM/ImageServer/exportImage answered`);
		expect(result.stderr).toMatch(/georeferenced at 100\d+.* instead of EPSG:3857 100\d+/);
		expect(result.stderr).toContain('more than half a pixel off');
	});

	it('in another CRS: the layer fails naming both CRSs', async () => {
		const result = await runThrough((tiff) => inProjectedCrs(tiff, 32632));
		expect(result.code, result.stderr).toBe(1);
		expect(result.stderr).toContain('an image in EPSG:32632 at');
		expect(result.stderr).toContain('instead of EPSG:3857');
	});
});
