/**
 * Two runs into one folder (issue 17, item 8): the run folder's lock stops the second at once, naming
 * the holder and the fix; it is released however the run ends; a lock left by a dead process of this
 * host is taken over, one of another host never is. A run of a smaller extent into the folder of a
 * larger one leaves nothing of the tiles no longer in the plan. `deepmask merge` waits for runs and shards.
 */
import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {loadPreset} from '../../source/config/presets.js';
import {startImageService, type ImageService} from '../../source/demo/server.js';
import {startRun} from '../../source/engine/pipeline/run.js';
import {mergeRunFolders} from '../../source/engine/shard/merge.js';
import {UserError} from '../../source/errors.js';
import {runToEnd, spawnCli, tempDir, tinyExtent, tinyPreset, tinySets} from './helpers.js';

let service: ImageService;

beforeAll(async () => {
	service = await startImageService({port: 0});
});

afterAll(async () => {
	await service.close();
});

const lockOf = (dir: string) => path.join(dir, 'run.lock');
/** The south-west quarter of tinyExtent: one tile of the four. */
const smallerExtent = '1000100,6000100,1000160,6000160';

describe('concurrent and stale runs', () => {
	it('a second run into a held folder stops at once naming the holder; the first, ended by discarding its review, releases it', async () => {
		const dir = tempDir('held');
		const first = startRun({preset: tinyPreset(service.url), runDir: dir});
		const review = await first.review;
		expect(existsSync(lockOf(dir))).toBe(true);

		const started = Date.now();
		const second = await startRun({preset: tinyPreset(service.url), runDir: dir}).review.then(
			() => new Error('expected the second run to be refused'),
			(caught: unknown) => caught as Error,
		);
		expect(second).toBeInstanceOf(UserError);
		expect(second.message).toContain(`pid ${process.pid} on ${os.hostname()} since `);
		expect(second.message).toContain(`delete ${lockOf(dir)}`);
		expect(Date.now() - started).toBeLessThan(5000);

		await review.discard();
		expect(existsSync(lockOf(dir))).toBe(false);
		await runToEnd(tinyPreset(service.url), dir);
		expect(existsSync(lockOf(dir))).toBe(false);
	}, 60_000);

	it('a failed run releases the lock', async () => {
		const dir = tempDir('failed');
		const error = await runToEnd(tinyPreset(`${service.url}/nothing-here`), dir).then(
			() => new Error('expected the run to fail'),
			(caught: unknown) => caught as Error,
		);
		expect(error.message).not.toBe('expected the run to fail');
		expect(existsSync(lockOf(dir))).toBe(false);
	}, 60_000);

	it('a lock left by a dead process of this host is taken over', async () => {
		const dir = tempDir('stale');
		const dead = spawnSync(process.execPath, ['-e', '']).pid;
		writeFileSync(
			lockOf(dir),
			JSON.stringify({by: 'run', host: os.hostname(), pid: dead, since: '2026-01-01T00:00:00Z'}),
		);
		await runToEnd(tinyPreset(service.url), dir);
		expect(existsSync(lockOf(dir))).toBe(false);
	}, 60_000);

	it('run and fetch into a folder held by another host exit 2 naming the host and the fix, touching nothing', async () => {
		const dir = tempDir('other-host');
		const record = {by: 'run', host: 'node-17.cluster', pid: 4242, since: '2026-11-30T08:00:00.000Z'};
		writeFileSync(lockOf(dir), JSON.stringify(record));
		const sets = tinySets(service.url).flatMap((set) => ['--set', set]);
		for (const command of [['run', '--yes'], ['fetch']]) {
			const result = await spawnCli([...command, '--preset', 'demo', '--extent', tinyExtent, ...sets, '--out', dir]);
			expect(result.code, result.stderr).toBe(2);
			expect(result.stderr).toContain('pid 4242 on node-17.cluster since 2026-11-30T08:00:00.000Z');
			expect(result.stderr).toContain(`if no run is going on on node-17.cluster, delete ${lockOf(dir)}`);
			expect(existsSync(path.join(dir, 'tiles'))).toBe(false);
		}
	}, 60_000);

	it('shards of one run do not lock each other out', async () => {
		const dir = tempDir('shards');
		mkdirSync(dir, {recursive: true});
		const sets = tinySets(service.url).flatMap((set) => ['--set', set]);
		const shard = (index: number) =>
			spawnCli([
				'run',
				...['--preset', 'demo', '--extent', tinyExtent, ...sets, '--shard', `${index}/2`, '--out', dir, '--yes'],
			]);
		const results = await Promise.all([shard(1), shard(2)]);
		for (const result of results) expect(result.code, result.stderr).toBe(0);
		expect(existsSync(path.join(dir, 'masks.vrt'))).toBe(true);

		// deepmask merge waits for every run and shard working in the folder, and leaves their outputs alone.
		const live = JSON.stringify({by: 'run', host: os.hostname(), pid: process.pid});
		const written = statSync(path.join(dir, 'stats.json')).mtimeMs;
		for (const [holder, message] of [
			[dir, /is in use by another run \(pid \d+/],
			[path.join(dir, 'shards/1-of-2'), /is in use by shard 1\/2 \(pid \d+.*\); merge when it has ended/],
		] as const) {
			writeFileSync(lockOf(holder), live);
			await expect(mergeRunFolders([dir])).rejects.toThrow(message);
			rmSync(lockOf(holder));
		}
		expect(statSync(path.join(dir, 'stats.json')).mtimeMs).toBe(written);
		await mergeRunFolders([dir]);
		expect(existsSync(lockOf(dir))).toBe(false);
		expect(existsSync(path.join(dir, 'shards/finalise.lock'))).toBe(false);
	}, 120_000);

	it('an unsharded run and a shard refuse a folder the other kind works in, naming it; a dead one does not count', async () => {
		const liveRecord = JSON.stringify({
			by: 'run',
			host: os.hostname(),
			pid: process.pid,
			since: '2026-11-30T08:00:00Z',
		});
		const sets = tinySets(service.url).flatMap((set) => ['--set', set]);
		const run = (dir: string, ...extra: string[]) =>
			spawnCli(['run', '--preset', 'demo', '--extent', tinyExtent, ...sets, '--out', dir, '--yes', ...extra]);

		const shardsWorking = tempDir('shards-working');
		mkdirSync(path.join(shardsWorking, 'shards/2-of-2'), {recursive: true});
		writeFileSync(lockOf(path.join(shardsWorking, 'shards/2-of-2')), liveRecord);
		const unsharded = await run(shardsWorking);
		expect(unsharded.code, unsharded.stderr).toBe(2);
		expect(unsharded.stderr).toContain(`is in use by shard 2/2 (pid ${process.pid} on ${os.hostname()}`);
		expect(unsharded.stderr).toContain('a sharded and an unsharded run cannot work in one folder at once');
		expect(existsSync(lockOf(shardsWorking))).toBe(false);
		expect(existsSync(path.join(shardsWorking, 'tiles'))).toBe(false);

		const runWorking = tempDir('run-working');
		writeFileSync(lockOf(runWorking), liveRecord);
		const shard = await run(runWorking, '--shard', '1/2');
		expect(shard.code, shard.stderr).toBe(2);
		expect(shard.stderr).toContain('is in use by an unsharded run');
		expect(existsSync(lockOf(path.join(runWorking, 'shards/1-of-2')))).toBe(false);

		const dead = spawnSync(process.execPath, ['-e', '']).pid;
		writeFileSync(lockOf(runWorking), JSON.stringify({by: 'run', host: os.hostname(), pid: dead}));
		const after = await run(runWorking, '--shard', '1/2');
		expect(after.code, after.stderr).toBe(0);
	}, 120_000);

	it('a smaller extent run into the folder of a larger one leaves no output of tiles no longer in the plan, and a training set of its own tiles only', async () => {
		const dir = tempDir('smaller');
		await runToEnd(tinyPreset(service.url), dir);
		expect(readdirSync(path.join(dir, 'masks'))).toHaveLength(4);
		await runToEnd(loadPreset('demo', {extent: smallerExtent, set: tinySets(service.url)}), dir);
		const plan = JSON.parse(readFileSync(path.join(dir, 'plan.json'), 'utf8')) as {tiles: Array<{id: string}>};
		const files = plan.tiles.map((tile) => `${tile.id}.tif`).sort();
		expect(files.length).toBeLessThan(4);
		for (const folder of ['masks', 'prob', 'tiles/rgb', 'tiles/dsm'])
			expect(
				readdirSync(path.join(dir, folder))
					.filter((file) => file.endsWith('.tif'))
					.sort(),
				folder,
			).toEqual(files);
		for (const member of readdirSync(path.join(dir, 'prob/members')))
			expect(readdirSync(path.join(dir, 'prob/members', member)).sort(), member).toEqual(files);
		for (const folder of ['images', 'labels'])
			expect(
				readdirSync(path.join(dir, 'training', folder)).filter((file) => file.endsWith('.tif')),
				folder,
			).toHaveLength(files.length);
	}, 60_000);
});
