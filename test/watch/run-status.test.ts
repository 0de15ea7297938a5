import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {writeJsonAtomic} from '../../source/engine/fs/atomic.js';
import {applyEvent, emptySnapshot} from '../../source/engine/pipeline/snapshot.js';
import {statusHeartbeatMs} from '../../source/engine/run-folder/status-file.js';
import {readRunStatus} from '../../source/engine/shard/run-status.js';

function runningSnapshot(runDir: string) {
	return applyEvent(emptySnapshot(), {
		type: 'run-start',
		at: Date.now(),
		runDir,
		preset: 'demo',
		tiles: 4,
		rows: 2,
		cols: 2,
		layers: ['rgb'],
		models: [],
	});
}

describe('liveness of a run on another host', () => {
	it('is judged by the heartbeat: recent is running, a minute of silence is stopped', async () => {
		const runDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-watch-remote-'));
		const now = Date.now();
		const write = (shard: string, writtenAt: number) =>
			writeJsonAtomic(path.join(runDir, 'shards', shard, 'status.json'), {
				pid: 4242,
				host: `not-${os.hostname()}`,
				writtenAt,
				snapshot: runningSnapshot(runDir),
			});
		await write('1-of-3', now - statusHeartbeatMs);
		await write('2-of-3', now - 7 * statusHeartbeatMs);

		const status = await readRunStatus(runDir, now);
		expect(status.statuses.map((entry) => [entry.shard, entry.liveness])).toEqual([
			['1/3', 'running'],
			['2/3', 'stopped'],
		]);
		expect(status.statuses[1].message).toBe(
			`stopped: no word from the deepmask process (pid 4242 on not-${os.hostname()}) for 70 s; rerun the same command to resume`,
		);
		expect(status.missingShards).toEqual(['3/3']);
		expect(status.liveness).toBe('stopped');
		expect(status.merged).toBe(false);
	});
});
