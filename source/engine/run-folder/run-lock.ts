/**
 * One run at a time in a folder: run.lock in the folder where the run keeps its state (the run folder,
 * or a shard's own folder, so the shards of one run never lock each other out), held until the run ends.
 */
import {rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {UserError} from '../../errors.js';
import {lockRecord, readLockOwner, takeLock, type LockOwner} from '../fs/lock-file.js';
import {runFiles} from './paths.js';

export type RunLock = {release(): Promise<void>};

function holderOf(owner: LockOwner): string {
	if (owner.pid === undefined || owner.host === undefined) return 'a lock file that names no process';
	return `pid ${owner.pid} on ${owner.host}${owner.since === undefined ? '' : ` since ${owner.since}`}`;
}

function fixFor(owner: LockOwner, lock: string): string {
	if (owner.host !== undefined && owner.host !== os.hostname())
		return `wait for it to end, or if no run is going on on ${owner.host}, delete ${lock}`;
	return `wait for it to end, or if it is not running, delete ${lock}`;
}

/** Takes the folder's run lock, or refuses (UserError naming the holder and the fix) while another run holds it. */
export async function lockRunFolder(stateDir: string): Promise<RunLock> {
	const lock = path.join(stateDir, runFiles.lock);
	const handle = await takeLock(lock);
	if (!handle) {
		const owner = await readLockOwner(lock);
		throw new UserError(`${stateDir} is in use by another run (${holderOf(owner)}); ${fixFor(owner, lock)}`);
	}
	try {
		await handle.writeFile(lockRecord('run'));
		await handle.close();
	} catch (error) {
		await handle.close().catch(() => undefined);
		await rm(lock, {force: true});
		throw error;
	}
	let released: Promise<void> | undefined;
	return {release: () => (released ??= rm(lock, {force: true}))};
}
