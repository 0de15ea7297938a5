import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {mergeIfComplete} from '../../source/engine/shard/merge.js';
import {runCli} from '../helpers/cli.js';
import {runOutputChecksums} from '../helpers/run-folder.js';

/** A 2 × 3 grid of 128-px tiles of the demo town: small enough for 2 shared cores. */
const extent = '1000100,6000100,1000290,6000220';
const runArgs = (out: string, ...more: string[]) => [
	'run',
	'--preset',
	'demo',
	'--extent',
	extent,
	'--set',
	'tileSize=128',
	'--out',
	out,
	'--yes',
	...more,
];

function tempDir(name: string): string {
	return mkdtempSync(path.join(os.tmpdir(), `deepmask-shard-${name}-`));
}

async function ok(args: string[], env?: NodeJS.ProcessEnv) {
	const result = await runCli(args, {env});
	expect(result.code, `deepmask ${args.join(' ')}\n${result.stderr}`).toBe(0);
	return result;
}

/** Several run processes share 2 cores with whatever else runs: generous limits, no timing assertions. */
const slow = 240_000;

describe('sharded runs', () => {
	let reference: Record<string, string>;
	/** The two-shard run folder, merged (the last test merges a third shard against it). */
	let twoShards: string;

	beforeAll(async () => {
		const dir = tempDir('whole');
		await ok(runArgs(dir));
		reference = runOutputChecksums(dir);
		expect(Object.keys(reference)).toEqual(
			expect.arrayContaining([
				'masks.vrt',
				'masks.tif',
				'masks.geojson',
				'stats.json',
				'masks/r001_c002.tif',
				'prob/r000_c000.tif',
				'training/map.txt',
			]),
		);
	}, slow);

	it(
		'two shards in one shared folder: the last to finish writes outputs identical to an unsharded run',
		async () => {
			const dir = tempDir('two');
			twoShards = dir;
			const results = await Promise.all([ok(runArgs(dir, '--shard', '1/2')), ok(runArgs(dir, '--shard', '2/2'))]);
			expect(
				results.filter((result) => result.stdout.includes('last shard to finish: wrote')),
				results.map((result) => result.stdout).join('\n'),
			).toHaveLength(1);
			expect(existsSync(path.join(dir, 'shards/merged.json'))).toBe(true);
			expect(existsSync(path.join(dir, 'shards/finalise.lock'))).toBe(false);
			for (const shard of ['1-of-2', '2-of-2'])
				for (const file of ['manifest.json', 'status.json', 'result.json'])
					expect(existsSync(path.join(dir, 'shards', shard, file))).toBe(true);
			expect(existsSync(path.join(dir, 'manifest.json'))).toBe(false);
			expect(runOutputChecksums(dir)).toEqual(reference);
			const watched = JSON.parse((await ok(['watch', dir, '--json'])).stdout) as {
				liveness: string;
				merged: boolean;
				statuses: Array<{shard: string; liveness: string}>;
			};
			expect(watched).toMatchObject({liveness: 'done', merged: true});
			expect(watched.statuses.map((entry) => `${entry.shard} ${entry.liveness}`)).toEqual(['1/2 done', '2/2 done']);

			// Merging by hand again writes the same bytes.
			const merged = await ok(['merge', dir]);
			expect(merged.stdout).toContain('over 6 tiles');
			expect(runOutputChecksums(dir)).toEqual(reference);

			// Two shards that both find the run complete: one writes the run-wide outputs, the other leaves them.
			rmSync(path.join(dir, 'shards/merged.json'));
			const race = await Promise.all([
				mergeIfComplete(dir, {index: 1, count: 2}),
				mergeIfComplete(dir, {index: 2, count: 2}),
			]);
			expect(race.filter((outcome) => outcome.state === 'merged')).toHaveLength(1);
			expect(runOutputChecksums(dir)).toEqual(reference);
			expect(readdirSync(dir).filter((file) => file.endsWith('.tmp'))).toEqual([]);

			// A lock held by a live process keeps a finishing shard out; one left by a dead process of this host is taken over.
			rmSync(path.join(dir, 'shards/merged.json'));
			const lock = path.join(dir, 'shards/finalise.lock');
			writeFileSync(lock, JSON.stringify({host: os.hostname(), pid: process.pid}));
			expect(await mergeIfComplete(dir, {index: 1, count: 2})).toMatchObject({
				state: 'waiting',
				reason: expect.stringContaining('another shard is writing'),
			});
			writeFileSync(lock, JSON.stringify({host: os.hostname(), pid: spawnSync(process.execPath, ['-e', '']).pid}));
			expect(await mergeIfComplete(dir, {index: 1, count: 2})).toMatchObject({state: 'merged'});
			expect(existsSync(lock)).toBe(false);
		},
		slow,
	);

	it(
		'three shards from scheduler variables in separate folders: merge names what is missing, then copies and merges',
		async () => {
			const dirs = [tempDir('a'), tempDir('b'), tempDir('c')];
			await Promise.all([
				ok(runArgs(dirs[0]), {SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '0'}),
				ok(runArgs(dirs[1]), {SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '1'}),
				ok(runArgs(dirs[2], '--shard-count', '3'), {JOB_COMPLETION_INDEX: '2'}),
			]);
			expect(readdirSync(path.join(dirs[1], 'shards'))).toEqual(['2-of-3']);

			const incomplete = await runCli(['merge', dirs[0], dirs[1]]);
			expect(incomplete.code).toBe(2);
			expect(incomplete.stderr).toContain('2 of 6 tiles have no finished shard (r000_c002, r001_c002)');
			expect(incomplete.stderr).toContain('not finished: shard 3/3');

			const out = tempDir('merged');
			await ok(['merge', ...dirs, '--out', out]);
			expect(runOutputChecksums(out)).toEqual(reference);
			expect(readdirSync(path.join(out, 'shards')).sort()).toEqual(['1-of-3', '2-of-3', '3-of-3', 'merged.json']);
		},
		slow,
	);

	it(
		'refuses to merge shards of different plans, or masks made at different thresholds',
		async () => {
			const other = tempDir('plan-b');
			const stricter = tempDir('threshold');
			await Promise.all([
				ok([
					'run',
					'--preset',
					'demo',
					'--extent',
					'1000100,6000100,1000160,6000160',
					'--set',
					'tileSize=128',
					'--out',
					other,
					'--yes',
					'--shard',
					'2/2',
				]),
				ok(runArgs(stricter, '--shard', '2/2', '--set', 'threshold=0.6')),
			]);
			const refused = await runCli(['merge', twoShards, other]);
			expect(refused.code).toBe(2);
			expect(refused.stderr).toMatch(
				/holds another plan than .*adjusted extent .*grid 2 × 3 vs 1 × 1.*only shards of the same plan can be merged/,
			);

			const mixed = await runCli(['merge', twoShards, stricter]);
			expect(mixed.code).toBe(2);
			expect(mixed.stderr).toMatch(
				/shard 1\/2 .* and shard 2\/2 .* wrote their masks differently \(threshold 0.5 vs 0.6\)/,
			);
		},
		slow,
	);

	it(
		'with post-processing, two shards merged equal an unsharded run: the merge post-processes the whole mosaic again',
		async () => {
			const settings = ['--set', 'postprocess.minArea=150', '--set', 'postprocess.fillHoles=40'];
			const whole = tempDir('post-whole');
			await ok(runArgs(whole, ...settings));
			const expected = runOutputChecksums(whole);
			expect(expected['masks.geojson']).not.toBe(reference['masks.geojson']);
			const stats = JSON.parse(readFileSync(path.join(whole, 'stats.json'), 'utf8')) as {
				overall: {postprocessed: {removedComponents: number}};
			};
			expect(stats.overall.postprocessed.removedComponents).toBeGreaterThan(0);
			const dir = tempDir('post-two');
			await Promise.all([
				ok(runArgs(dir, ...settings, '--shard', '1/2')),
				ok(runArgs(dir, ...settings, '--shard', '2/2')),
			]);
			expect(runOutputChecksums(dir)).toEqual(expected);
		},
		slow,
	);
});
