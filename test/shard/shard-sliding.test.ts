import {mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {runOutputChecksums} from '../helpers/run-folder.js';

/** A 2 × 3 grid of 128-px tiles in sliding mode: every tile's context reaches into the other shard's tiles. */
const runArgs = (out: string, ...more: string[]) => [
	'run',
	'--preset',
	'demo',
	'--extent',
	'1000100,6000100,1000290,6000220',
	'--set',
	'tileSize=128',
	'--set',
	'inference.mode=sliding',
	'--out',
	out,
	'--yes',
	...more,
];

const tempDir = (name: string) => mkdtempSync(path.join(os.tmpdir(), `deepmask-shard-sliding-${name}-`));

async function ok(args: string[]) {
	const result = await runCli(args);
	expect(result.code, `deepmask ${args.join(' ')}\n${result.stderr}`).toBe(0);
	return result;
}

describe('sharded runs in sliding mode', () => {
	it("take the other shard's tiles as context: the merged outputs equal an unsharded run's byte for byte", async () => {
		const whole = tempDir('whole');
		await ok(runArgs(whole));
		const reference = runOutputChecksums(whole);
		expect(Object.keys(reference)).toEqual(expect.arrayContaining(['stats.json', 'prob/r001_c002.tif']));
		const dir = tempDir('two');
		const results = await Promise.all([ok(runArgs(dir, '--shard', '1/2')), ok(runArgs(dir, '--shard', '2/2'))]);
		expect(runOutputChecksums(dir)).toEqual(reference);
		for (const result of results) expect(result.stdout).toMatch(/other shards' tiles for it: [\d,]+ layer pixels read/);
		// The context tiles are no shard's own: each shard's manifest records its three tiles only.
		for (const shard of ['1-of-2', '2-of-2']) {
			const manifest = JSON.parse(readFileSync(path.join(dir, 'shards', shard, 'manifest.json'), 'utf8')) as {
				stages: Record<string, Record<string, unknown>>;
			};
			expect(Object.keys(manifest.stages.rgb)).toHaveLength(3);
			expect(Object.keys(manifest.stages.prob)).toHaveLength(3);
		}
	}, 300_000);
});
