import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startImageService, type ImageService} from '../../source/demo/server.js';
import {readRunStatus, type RunStatus} from '../../source/engine/shard/run-status.js';
import {runCli} from '../helpers/cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function watchJson(dir: string): Promise<RunStatus | undefined> {
	const result = await runCli(['watch', dir, '--json']);
	if (result.code === 2 && result.stderr.includes('has no status.json')) return undefined;
	expect(result.code, result.stderr).toBe(0);
	return JSON.parse(result.stdout) as RunStatus;
}

/** Tiles downloaded, inferred and written, over every status of the run. */
function progress(status: RunStatus): number {
	return status.statuses.reduce(
		(sum, entry) =>
			sum +
			Object.values(entry.snapshot.downloads).reduce((layers, layer) => layers + layer.done, 0) +
			entry.snapshot.inferred +
			entry.snapshot.written,
		0,
	);
}

/** Poll until `check` gives a value: bounded, never a fixed sleep standing for speed. */
async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

describe('deepmask watch --json', () => {
	let service: ImageService;
	let child: ChildProcess | undefined;

	beforeAll(async () => {
		// Slow answers, one at a time: the run lasts long enough to be watched.
		service = await startImageService({faults: {latencyMs: 400}});
	});

	afterAll(async () => {
		child?.kill('SIGKILL');
		await service.close();
	});

	it('names the folder when no run has started there', async () => {
		const empty = mkdtempSync(path.join(os.tmpdir(), 'deepmask-watch-empty-'));
		const result = await runCli(['watch', empty, '--json']);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(`${empty} has no status.json`);
	});

	it('shows a running run moving, then a killed one stopped', {timeout: 180_000}, async () => {
		const out = mkdtempSync(path.join(os.tmpdir(), 'deepmask-watch-run-'));
		const sets = [
			'tileSize=128',
			'embeddedDemo=false',
			`layers.rgb.url=${service.url}/Demo/Imagery/MapServer`,
			`layers.dsm.url=${service.url}/Demo/DSM/ImageServer`,
			'concurrency.downloads=1',
			'concurrency.perHost=1',
		].flatMap((value) => ['--set', value]);
		const args = [
			'--import',
			'tsx',
			path.join(root, 'source/cli.tsx'),
			'run',
			'--preset',
			'demo',
			'--extent',
			'1000100,6000100,1000290,6000220',
			...sets,
			'--out',
			out,
			'--yes',
		];
		child = spawn(process.execPath, args, {cwd: root, env: {...process.env, NO_COLOR: '1'}, stdio: 'ignore'});
		const exited = new Promise((resolve) => child!.once('exit', resolve));

		// Polled in-process (a CLI start costs a second on a busy machine); the command line is checked below.
		const first = await until(async () => {
			const status = await readRunStatus(out).catch(() => undefined);
			return status?.liveness === 'running' && progress(status) > 0 ? status : undefined;
		}, 'a running status');
		await until(async () => {
			const status = await readRunStatus(out);
			return progress(status) > progress(first) ? status : undefined;
		}, 'progress after the first status');
		// From here on the service holds every answer back: the run cannot finish before it is killed.
		service.setFaults({latencyMs: 600_000});

		const running = await watchJson(out);
		expect(running?.liveness).toBe('running');
		expect(running?.statuses).toHaveLength(1);
		expect(running?.statuses[0].pid).toBe(child.pid);
		expect(running?.statuses[0].snapshot.tiles).toBe(6);
		expect(progress(running!)).toBeGreaterThan(progress(first));

		child.kill('SIGKILL');
		await exited;
		const stopped = await watchJson(out);
		expect(stopped?.liveness).toBe('stopped');
		expect(stopped?.message).toBe(
			`stopped: the deepmask process (pid ${child.pid}) is gone; rerun the same command to resume`,
		);
	});
});
