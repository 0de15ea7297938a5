/**
 * A run that fails while other work hangs (issue 17: "a run failed after 193 s and never exited"): a model
 * fails on the first tile while the service holds every other download open without answering. The failure
 * must stop the hanging downloads, so the process exits at once with the model's error, not when the
 * downloads time out.
 */
import {mkdirSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {startImageService, type ImageService} from '../../source/demo/server.js';
import {startProxy} from '../helpers/proxy.js';
import {expectIntact, spawnCli, tempDir, tinyRunArgs, tinySets} from './helpers.js';
import {writeBrokenModel} from './models.js';

let service: ImageService;

beforeAll(async () => {
	service = await startImageService({port: 0});
});

afterAll(async () => {
	await service.close();
});

it('a model failure while downloads hang: exit 1 with the model named, long before any download times out', async () => {
	let dsmExports = 0;
	// Every RGB answer comes; of the DSM only the first: one tile can be inferred, the others wait forever.
	const proxy = await startProxy(service.url, {
		stall: (url) => /\/exportImage$/i.test(url.pathname) && ++dsmExports > 1,
	});
	const models = path.join(tempDir('hang-models'), 'models');
	mkdirSync(models);
	writeBrokenModel(models, 'nan');
	const dir = tempDir('hang-run');
	const sets = [...tinySets(proxy.url), `models=${JSON.stringify([models])}`];
	let killed = false;
	let timer: NodeJS.Timeout | undefined;
	const child = spawnCli(tinyRunArgs(dir, sets), (_output, process) => {
		// A hang, not a slow exit: well under the transport's own timeouts, far over a normal failure's exit.
		timer ??= setTimeout(() => {
			killed = process.kill('SIGKILL');
		}, 40_000);
	});
	try {
		const result = await child;
		clearTimeout(timer);
		expect(killed, 'the run did not exit after its failure').toBe(false);
		expect(result.code, result.stderr).toBe(1);
		expect(result.stderr).toMatch(/model nan: inference failed \(the model returned NaN or infinite values/);
		expect(result.stderr).not.toMatch(/interrupted/);
		expect(dsmExports).toBeGreaterThan(1);
		await expectIntact(dir);
	} finally {
		await proxy.close();
	}
}, 60_000);
