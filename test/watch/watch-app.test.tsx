import {spawnSync} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {writeJsonAtomic} from '../../source/engine/fs/atomic.js';
import type {RunEvent} from '../../source/engine/pipeline/events.js';
import {applyEvent, emptySnapshot, type RunSnapshot} from '../../source/engine/pipeline/snapshot.js';
import type {StatusDocument} from '../../source/engine/run-folder/status-file.js';
import {readRunStatus} from '../../source/engine/shard/run-status.js';
import {WatchApp} from '../../source/ui/watch/watch-app.js';

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;?]*[A-Za-z]/g;

type Body = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'at'> : never) : never;

/** A shard's snapshot after these events, as the engine folds them. */
function snapshotAfter(runDir: string, tileIds: string[], done: number, end?: 'done'): RunSnapshot {
	const events: Body[] = [
		{
			type: 'run-start',
			runDir,
			preset: 'demo',
			tiles: tileIds.length,
			rows: 2,
			cols: 2,
			layers: ['rgb'],
			models: ['unet'],
		},
		...tileIds
			.slice(0, done)
			.flatMap((tileId): Body[] => [
				{type: 'tile-fetched', layer: 'rgb', tileId, bytes: 1000, skipped: false, ms: 10},
				{type: 'model-tile', model: 'unet', tileId, ms: 50, batch: 1},
				{type: 'tile-inferred', tileId, skipped: false},
				...(end ? [{type: 'tile-written' as const, tileId}] : []),
			]),
		...(end ? [{type: 'run-end' as const, state: end, message: `wrote ${done} tiles to ${runDir}`}] : []),
	];
	const snapshot = emptySnapshot(1_000);
	events.forEach((event, k) => applyEvent(snapshot, {...event, at: 1_000 + k} as RunEvent));
	return snapshot;
}

/** The pid of a process that has exited. */
function deadPid(): number {
	return spawnSync(process.execPath, ['-e', '']).pid;
}

async function until(check: () => boolean, what: string): Promise<void> {
	const deadline = Date.now() + 10_000;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

describe('the watch view', () => {
	it('draws every shard, says which stopped, and quits on q', async () => {
		const runDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-watch-app-'));
		const status = (snapshot: RunSnapshot, pid: number): StatusDocument => ({
			pid,
			host: os.hostname(),
			writtenAt: Date.now(),
			snapshot,
		});
		const pid = deadPid();
		await writeJsonAtomic(
			path.join(runDir, 'shards/1-of-2/status.json'),
			status(snapshotAfter(runDir, ['r000_c000', 'r001_c000'], 2, 'done'), process.pid),
		);
		await writeJsonAtomic(
			path.join(runDir, 'shards/2-of-2/status.json'),
			status(snapshotAfter(runDir, ['r000_c001', 'r001_c001'], 1), pid),
		);

		const initial = await readRunStatus(runDir);
		expect(initial.liveness).toBe('stopped');
		expect(initial.statuses.map((entry) => [entry.shard, entry.liveness])).toEqual([
			['1/2', 'done'],
			['2/2', 'stopped'],
		]);

		let code: number | undefined;
		const app = render(
			<WatchApp
				runDir={runDir}
				initial={initial}
				size={{columns: 80, rows: 24}}
				color={false}
				intervalMs={50}
				onQuit={(value) => (code = value)}
			/>,
		);
		const frame = () => (app.lastFrame() ?? '').replace(ansi, '');
		await until(() => frame().includes('Downloads'), 'the dashboard');
		const text = frame();
		expect(text).toContain("shards: 1 stopped, 1 done; rerun a stopped shard's command to resume it");
		expect(text).toMatch(new RegExp(`2/2 +stopped .* pid ${pid} gone: rerun to resume`));
		expect(text).toMatch(/1\/2 +done/);
		// Both shards summed: 3 of 4 tiles downloaded, and the log lines marked with their shard.
		expect(text).toContain('3/4');
		expect(text).not.toContain('p pause');
		expect(text.split('\n').length).toBeLessThanOrEqual(23);

		await new Promise((resolve) => setTimeout(resolve, 0));
		app.stdin.write('q');
		await until(() => code !== undefined, 'the quit');
		expect(code).toBe(0);
		app.unmount();
	});
});
