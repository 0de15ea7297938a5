/** `deepmask doctor --models`: the user's models loaded as a run loads them, run once, checked as one ensemble. */
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {checkModels} from '../../source/engine/infer/check-models.js';
import {writeBrokenModel} from '../faults/models.js';
import {runCli} from '../helpers/cli.js';

const demoModel = path.resolve('models/demo/unet-rgb-small.onnx');

describe('doctor --models', () => {
	it('reports bands, tile size, classes, output and provider of a model that runs', async () => {
		const report = await checkModels([demoModel], 'cpu');
		expect(report.ok).toBe(true);
		expect(report.ensemble).toBeUndefined();
		expect(report.models[0].detail).toMatch(
			/^R\+G\+B, 256 px, classes background\/building, probabilities, on cpu; test run \d+ ms, probabilities \d\.\d\d–\d\.\d\d$/,
		);
	});

	it('fails a model whose test run fails or gives values outside 0–1, and an ensemble whose members segment different classes', async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-doctor-'));
		const nan = writeBrokenModel(dir, 'nan');
		const roads = writeBrokenModel(
			mkdtempSync(path.join(os.tmpdir(), 'deepmask-doctor-')),
			'negative',
			JSON.stringify({tile_size: 128, deepmask_bands: ['R', 'G', 'B'], class_names: {0: 'background', 1: 'road'}}),
		);
		const report = await checkModels([nan, roads, demoModel], 'cpu');
		expect(report.ok).toBe(false);
		expect(report.models[0]).toMatchObject({ok: false, detail: expect.stringMatching(/test run failed: .*NaN/)});
		expect(report.models[1]).toMatchObject({ok: false, detail: expect.stringMatching(/not finite numbers in 0–1/)});
		expect(report.ensemble).toMatchObject({ok: false, detail: expect.stringMatching(/road/)});
	});

	it('exits 2 naming the failed models, and 0 for the shipped ensemble', async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-doctor-'));
		const failed = await runCli(['doctor', '--models', writeBrokenModel(dir, 'reshape'), '--provider', 'cpu']);
		expect(failed.code).toBe(2);
		expect(failed.stdout).toMatch(/^no {3}.*reshape\.onnx: the test run failed/m);
		expect(failed.stderr).toMatch(/1 of the models given failed the checks/);
		const shipped = await runCli(['doctor', '--models', 'models/demo', '--provider', 'cpu', '--json']);
		expect(shipped.code).toBe(0);
		const report = JSON.parse(shipped.stdout) as {models: Array<{name: string; ok: boolean}>};
		expect(report.models.map((model) => [model.name, model.ok])).toEqual([
			['models/demo/linknet-rgbd.onnx', true],
			['models/demo/unet-rgb-small.onnx', true],
			['models/demo/unet-rgbd-wide.onnx', true],
			['ensemble of 3 models', true],
		]);
	});
});
