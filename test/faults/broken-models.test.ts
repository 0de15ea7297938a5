/**
 * Models that load but misbehave when they run (issue 17, items 6 and 7): a Reshape that fails, an output
 * of half the size, NaN outputs, "probabilities" far below 0, an absurd tile_size. A failure is reported
 * as itself (exit 1, in status.json too), never as an interrupt, naming the model; out-of-range values are
 * clamped as `infer` clamps them, never wrapped.
 */
import {mkdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {readGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {exitCodeOf, ExitCode, UserError} from '../../source/errors.js';
import {expectIntact, runError, runToEnd, tempDir, tinyPreset} from './helpers.js';
import {writeBrokenModel, type BrokenModel} from './models.js';

function modelFolder(kind: BrokenModel, sidecar?: string): string {
	const dir = path.join(tempDir(`model-${kind}`), 'models');
	mkdirSync(dir);
	writeBrokenModel(dir, kind, sidecar);
	return dir;
}

const presetWith = (models: string) => tinyPreset(undefined, [`models=${JSON.stringify([models])}`]);

function statusOf(dir: string): {state: string; message?: string} {
	const status = JSON.parse(readFileSync(path.join(dir, 'status.json'), 'utf8')) as {
		snapshot: {state: string; message?: string};
	};
	return status.snapshot;
}

describe('broken models', () => {
	for (const [kind, reason] of [
		['reshape', /model reshape: inference failed \(.*Reshape/s],
		['half-size', /model half-size: inference failed \(the model returned 64×64 for a 128×128 input\)/],
		['nan', /model nan: inference failed \(the model returned NaN or infinite values/],
	] as const) {
		it(`${kind}: the run fails with the model's error (exit 1, status.json failed), not as interrupted`, async () => {
			const dir = tempDir(`run-${kind}`);
			const error = await runError(presetWith(modelFolder(kind)), dir);
			expect(error.message).toMatch(reason);
			expect(exitCodeOf(error)).toBe(ExitCode.failed);
			const status = statusOf(dir);
			expect(status.state).toBe('failed');
			expect(status.message).toMatch(reason);
			await expectIntact(dir);
		});
	}

	it('a sidecar tile_size of 1e9 is refused when the model is opened, naming the key (exit 2)', async () => {
		const dir = tempDir('run-tile-size');
		const error = await runError(presetWith(modelFolder('half-size', JSON.stringify({tile_size: 1e9}))), dir);
		expect(error).toBeInstanceOf(UserError);
		expect(error.message).toMatch(/half-size\.json\): bad model metadata \(tile_size: at most 8192 px\)/);
	});

	it('"probabilities" below 0 are clamped to 0 (no foreground), never wrapped modulo 256', async () => {
		const dir = tempDir('run-negative');
		await runToEnd(presetWith(modelFolder('negative')), dir);
		for (const folder of ['prob', 'masks']) {
			const raster = await readGeoTiffFile(path.join(dir, folder, 'r000_c000.tif'));
			expect(Math.max(...raster.data), folder).toBe(0);
		}
		const stats = JSON.parse(readFileSync(path.join(dir, 'stats.json'), 'utf8')) as {
			overall: {foregroundPixels: number};
		};
		expect(stats.overall.foregroundPixels).toBe(0);
	});
});
