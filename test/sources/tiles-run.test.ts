/**
 * `deepmask run` with its RGB from tile caches (the DSM from the ImageServer): the masks agree with the
 * run from the exports, and a run killed with SIGKILL resumes to the outputs of a clean one.
 */
import {spawn} from 'node:child_process';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadPreset, type LoadedPreset} from '../../source/config/presets.js';
import {readGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {listFiles, outputChecksums} from '../helpers/run-folder.js';
import {repoRoot, runToEnd, tempDir, tinyExtent} from '../faults/helpers.js';

const tinySets = ['tileSize=128', 'inference.batchSize=2'];

function tiny(preset: string, extra: string[] = []): LoadedPreset {
	return loadPreset(preset, {extent: tinyExtent, set: [...tinySets, ...extra]});
}

/** The share of mask pixels that differ between two run folders, and whether their RGB tiles are the same bytes. */
async function compare(a: string, b: string): Promise<{maskDifference: number; sameRgb: boolean}> {
	const masks = listFiles(path.join(a, 'masks')).filter((file) => file.endsWith('.tif'));
	expect(masks.length).toBe(4);
	let differing = 0;
	let total = 0;
	let sameRgb = true;
	for (const file of masks) {
		const [left, right] = await Promise.all([a, b].map((dir) => readGeoTiffFile(path.join(dir, 'masks', file))));
		for (let k = 0; k < left.data.length; k++) if (left.data[k] !== right.data[k]) differing++;
		total += left.data.length;
		const [rgbLeft, rgbRight] = await Promise.all(
			[a, b].map((dir) => readGeoTiffFile(path.join(dir, 'tiles/rgb', file))),
		);
		sameRgb &&= Buffer.from(rgbLeft.data).equals(Buffer.from(rgbRight.data));
	}
	return {maskDifference: differing / total, sameRgb};
}

describe('deepmask run from tile caches', () => {
	it('gives the masks of the export run: the same from the 0.5 m cache, nearly the same from resampled levels', async () => {
		const exports = tempDir('tiles-exports');
		await runToEnd(tiny('demo'), exports);
		const cache = tempDir('tiles-cache');
		await runToEnd(tiny('demo-tiles'), cache);
		// Level 10 of Demo/Imagery's cache lies on the plan's grid: the same pixels, so the same masks.
		expect(await compare(exports, cache)).toEqual({maskDifference: 0, sameRgb: true});
		expect(outputChecksums(cache)['masks.geojson']).toBe(outputChecksums(exports)['masks.geojson']);

		// XYZ level 19 (0.30 m) resampled to 0.5 m: other pixels, masks differ only along some edges.
		const resampled = tempDir('tiles-xyz');
		await runToEnd(tiny('demo-tiles', ['layers.rgb.url=http://127.0.0.1:7070/tiles/demo/{z}/{x}/{y}.png']), resampled);
		const {maskDifference, sameRgb} = await compare(exports, resampled);
		expect(sameRgb).toBe(false);
		expect(maskDifference).toBeLessThan(0.01);
	}, 120_000);

	it('resumes after SIGKILL while fetching and while inferring to the outputs of a clean run', async () => {
		const clean = tempDir('tiles-kill-clean');
		await runToEnd(tiny('demo-tiles'), clean);
		for (const marker of ['fetch  [1/4]', 'infer  [1/4]']) {
			const killed = tempDir('tiles-killed');
			const child = spawn(
				process.execPath,
				[
					'--import',
					'tsx',
					path.join(repoRoot, 'source/cli.tsx'),
					'run',
					'--preset',
					'demo-tiles',
					'--extent',
					tinyExtent,
					...tinySets.flatMap((set) => ['--set', set]),
					'--out',
					killed,
					'--yes',
				],
				{cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe']},
			);
			let stderr = '';
			const exited = new Promise<NodeJS.Signals | null>((resolve) =>
				child.on('exit', (_code, signal) => resolve(signal)),
			);
			child.stderr.on('data', (chunk: Buffer) => {
				stderr += chunk.toString();
				if (stderr.includes(marker)) child.kill('SIGKILL');
			});
			expect(await exited, marker).toBe('SIGKILL');
			await runToEnd(tiny('demo-tiles'), killed);
			expect(outputChecksums(killed), marker).toEqual(outputChecksums(clean));
		}
	}, 180_000);
});
