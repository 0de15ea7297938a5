/**
 * Hostile run folders (issue 17, item 1): state files that name paths outside the folder, links planted
 * on a shared folder at the names of temporary files or in place of tiles/. Each is refused, named, and
 * nothing is written outside the folders the user named.
 */
import {cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {writeJsonAtomic} from '../../source/engine/fs/atomic.js';
import {mergeIfComplete, mergeRunFolders} from '../../source/engine/shard/merge.js';
import {Manifest} from '../../source/engine/run-folder/manifest.js';
import {readRunStatus} from '../../source/engine/shard/run-status.js';
import {UserError} from '../../source/errors.js';
import {runError, spawnCli, tempDir, tinyExtent, tinyPreset, tinySets} from './helpers.js';

/** A finished one-shard run of the tiny demo extent, copied fresh for each case. */
let finished: string;

beforeAll(async () => {
	finished = tempDir('one-shard');
	const sets = tinySets().flatMap((set) => ['--set', set]);
	const result = await spawnCli([
		'run',
		...['--preset', 'demo', '--extent', tinyExtent, ...sets, '--shard', '1/1', '--out', finished, '--yes'],
	]);
	expect(result.code, result.stderr).toBe(0);
}, 120_000);

/** A copy of the finished run inside a fresh folder that also holds `outside/` (with one file to protect). */
function sandbox(name: string): {root: string; run: string; outside: string} {
	const root = tempDir(name);
	const run = path.join(root, 'deep', 'er', 'run');
	cpSync(finished, run, {recursive: true});
	const outside = path.join(root, 'outside');
	mkdirSync(outside);
	writeFileSync(path.join(outside, 'precious.txt'), 'keep me');
	return {root, run, outside};
}

function editJson(file: string, edit: (value: Record<string, unknown>) => void): void {
	const value = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
	edit(value);
	writeFileSync(file, JSON.stringify(value));
}

async function mergeError(dirs: string[], out?: string): Promise<Error> {
	const error = await mergeRunFolders(dirs, out).then(
		() => new Error('expected merge to fail'),
		(caught: unknown) => caught as Error,
	);
	expect(error).toBeInstanceOf(UserError);
	return error;
}

describe('hostile run folders', () => {
	it('merge --out refuses a result.json whose tile id leads outside, writing nothing', async () => {
		const {root, run} = sandbox('forged-result');
		const out = path.join(root, 'merged');
		const result = path.join(run, 'shards/1-of-1/result.json');
		editJson(result, (value) => {
			(value.tiles as Array<{id: string}>)[0].id = '../../../../PWNED';
		});
		writeFileSync(path.join(root, 'PWNED.tif'), 'outside the source');
		const error = await mergeError([run], out);
		expect(error.message).toContain(result);
		expect(error.message).toContain('tiles.0.id');
		expect(existsSync(out)).toBe(false);
		expect(readdirSync(root).sort()).toEqual(['PWNED.tif', 'deep', 'outside']);
	});

	it('merge refuses a result.json naming a tile that is not in the plan', async () => {
		const {run} = sandbox('foreign-tile');
		const result = path.join(run, 'shards/1-of-1/result.json');
		editJson(result, (value) => {
			(value.tiles as Array<{id: string; row: number}>)[0].id = 'r900_c000';
			(value.tiles as Array<{id: string; row: number}>)[0].row = 900;
		});
		expect((await mergeError([run])).message).toMatch(/names tile "r900_c000".*not a tile of/);
	});

	it('merge refuses a plan.json whose tile id is not its row and column', async () => {
		const {root, run} = sandbox('forged-plan');
		const plan = path.join(run, 'plan.json');
		editJson(plan, (value) => {
			(value.tiles as Array<{id: string}>)[1].id = '../../../../PWNED';
		});
		const error = await mergeError([run], path.join(root, 'merged'));
		expect(error.message).toContain(plan);
		expect(error.message).toContain('tiles.1.id');
		expect(existsSync(path.join(root, 'merged'))).toBe(false);
	});

	it('merge refuses a result.json that says it is another shard', async () => {
		const {run} = sandbox('other-shard');
		editJson(path.join(run, 'shards/1-of-1/result.json'), (value) => {
			value.shard = {index: 2, count: 1};
		});
		expect((await mergeError([run])).message).toMatch(/result\.json cannot be read/);
	});

	it('links planted at the names temporary files used to have are never written through', async () => {
		const {run, outside} = sandbox('planted-temporaries');
		const target = path.join(run, 'plan.json');
		const host = os.hostname().replace(/[^A-Za-z0-9-]/g, '_');
		for (let n = 1; n <= 200; n++)
			symlinkSync(path.join(outside, 'precious.txt'), `${target}.${host}.${process.pid}-${n}.deepmask-tmp`);
		for (let k = 0; k < 20; k++) await writeJsonAtomic(target, {k});
		expect(readFileSync(path.join(outside, 'precious.txt'), 'utf8')).toBe('keep me');
		expect(JSON.parse(readFileSync(target, 'utf8'))).toEqual({k: 19});
	});

	it('writing over a link replaces the link, not the file it points to', async () => {
		const {run, outside} = sandbox('linked-stats');
		const stats = path.join(run, 'stats.json');
		rmSync(stats);
		symlinkSync(path.join(outside, 'precious.txt'), stats);
		await writeJsonAtomic(stats, {fresh: true});
		expect(readFileSync(path.join(outside, 'precious.txt'), 'utf8')).toBe('keep me');
		expect(JSON.parse(readFileSync(stats, 'utf8'))).toEqual({fresh: true});
	});

	it('a run refuses a tiles/ link leading outside the run folder, naming it', async () => {
		const {root, outside} = sandbox('tiles-link');
		const run = path.join(root, 'fresh');
		mkdirSync(run);
		symlinkSync(outside, path.join(run, 'tiles'));
		const error = await runError(tinyPreset(), run);
		expect(error).toBeInstanceOf(UserError);
		expect(error.message).toContain(path.join(run, 'tiles'));
		expect(error.message).toMatch(/symbolic link leading outside/);
		expect(readdirSync(outside)).toEqual(['precious.txt']);
	});

	it('merge --out refuses a target folder with a masks/ link leading outside', async () => {
		const {root, run, outside} = sandbox('merge-link');
		const out = path.join(root, 'merged');
		mkdirSync(out);
		symlinkSync(outside, path.join(out, 'masks'));
		expect((await mergeError([run], out)).message).toContain(path.join(out, 'masks'));
		expect(readdirSync(outside)).toEqual(['precious.txt']);
	});

	it('merge and watch refuse an empty shards/1-of-50000000 folder at once, naming it', async () => {
		const {run} = sandbox('absurd-count');
		const absurd = path.join(run, 'shards', '1-of-50000000');
		mkdirSync(absurd);
		expect((await mergeError([run])).message).toContain(
			`${absurd} is not a shard of this run (a run of this plan has at most 1000 shards`,
		);
		const watched = await readRunStatus(run).then(
			() => new Error('expected watch to refuse'),
			(caught: unknown) => caught as Error,
		);
		expect(watched).toBeInstanceOf(UserError);
		expect(watched.message).toContain(absurd);
	});

	it('damaged state files are named with their fix: a null manifest, a garbage stage, a null snapshot, null tiles', async () => {
		const {run} = sandbox('damaged-state');
		const manifest = path.join(run, 'shards/1-of-1/manifest.json');
		for (const damaged of ['null', '{"version":1,"stages":{"rgb":"garbage"}}']) {
			writeFileSync(manifest, damaged);
			const error = await Manifest.open(path.dirname(manifest)).then(
				() => new Error('expected a refusal'),
				(caught: unknown) => caught as Error,
			);
			expect(error, damaged).toBeInstanceOf(UserError);
			expect(error.message).toMatch(new RegExp(`^${manifest}.*is not a deepmask manifest .*delete the file`));
		}
		const status = path.join(run, 'shards/1-of-1/status.json');
		for (const edit of [{snapshot: null}, {pid: 0}, {pid: -1}, {writtenAt: Date.now() + 86_400_000}]) {
			editJson(status, (value) => Object.assign(value, edit));
			const error = await readRunStatus(run).then(
				() => new Error('expected a refusal'),
				(caught: unknown) => caught as Error,
			);
			expect(error, JSON.stringify(edit)).toBeInstanceOf(UserError);
			expect(error.message).toContain(`${status} cannot be read`);
			cpSync(path.join(finished, 'shards/1-of-1/status.json'), status);
		}
		const result = path.join(run, 'shards/1-of-1/result.json');
		for (const edit of [{tiles: [null]}, {writtenAt: '2999-01-01T00:00:00.000Z'}]) {
			cpSync(path.join(finished, 'shards/1-of-1/result.json'), result);
			editJson(result, (value) => Object.assign(value, edit));
			expect((await mergeError([run])).message).toContain(`${result} cannot be read`);
		}
		cpSync(path.join(finished, 'shards/1-of-1/result.json'), result);
		editJson(result, (value) => {
			(value.tiles as Array<{foregroundPixels: number}>)[0].foregroundPixels = 1e308;
		});
		expect((await mergeError([run])).message).toContain(`${result} cannot be read`);
	});

	it('an empty or garbage shards/finalise.lock makes the last shard wait, naming the lock, never a TypeError', async () => {
		const {run} = sandbox('damaged-lock');
		const lock = path.join(run, 'shards/finalise.lock');
		rmSync(path.join(run, 'shards/merged.json'));
		for (const content of ['', 'garbage', 'null', '{"host":null,"pid":-1}']) {
			writeFileSync(lock, content);
			const merge = await mergeIfComplete(run, {index: 1, count: 1});
			expect(merge, content).toMatchObject({state: 'waiting', reason: expect.stringContaining(lock) as string});
		}
	});
});
