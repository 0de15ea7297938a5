import os from 'node:os';
import path from 'node:path';
import {writeJsonAtomic} from '../fs/atomic.js';
import {runFiles} from './paths.js';
import type {RunSnapshot} from '../pipeline/snapshot.js';

export type StatusDocument = {pid: number; host?: string; writtenAt: number; snapshot: RunSnapshot};

/** Rewritten at least this often while the run goes on, so a watcher on another host can tell a live run from a dead one. */
export const statusHeartbeatMs = 10_000;

/**
 * Keeps `status.json` in the run folder: the engine's snapshot, rewritten atomically at most once per
 * `intervalMs`, so `deepmask watch` can follow a run from another terminal.
 */
export class StatusFile {
	private dirty = false;
	private timer: NodeJS.Timeout | undefined;
	private writing: Promise<void> = Promise.resolve();
	private lastWrite = 0;

	constructor(
		private readonly runDir: string,
		private readonly snapshot: () => RunSnapshot,
		private readonly intervalMs = 1000,
	) {}

	start(): void {
		this.timer = setInterval(() => void this.flush(), this.intervalMs);
		this.timer.unref();
	}

	markDirty(): void {
		this.dirty = true;
	}

	flush(): Promise<void> {
		if (!this.dirty && Date.now() - this.lastWrite < statusHeartbeatMs) return this.writing;
		this.dirty = false;
		this.lastWrite = Date.now();
		const document: StatusDocument = {
			pid: process.pid,
			host: os.hostname(),
			writtenAt: this.lastWrite,
			snapshot: this.snapshot(),
		};
		const text = structuredClone(document);
		this.writing = this.writing
			.then(() => writeJsonAtomic(path.join(this.runDir, runFiles.status), text))
			.catch(() => undefined);
		return this.writing;
	}

	async stop(): Promise<void> {
		clearInterval(this.timer);
		this.dirty = true;
		await this.flush();
	}
}
