/**
 * One run at a time in a folder: run.lock in the folder where the run keeps its state (the run folder,
 * or a shard's own folder, so the shards of one run never lock each other out), held until the run ends.
 * An unsharded run and shards never share a folder at once: each takes its own lock, then looks for the
 * other kind's, and gives its own back if it finds one (of two that start together, both stop: never both go).
 */
import {access, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {UserError} from '../../errors.js';
import {lockRecord, readLockOwner, takeLock, type LockOwner} from '../fs/lock-file.js';
import {processAlive} from '../fs/process-alive.js';
import {runFiles} from './paths.js';
import {listShards, shardStateDir} from './shard-layout.js';
import {shardLabel} from '../shard/shard-spec.js';

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

/** Who holds `lock`, unless nobody does: no file, or the file of a dead process of this host. */
async function liveHolder(lock: string): Promise<LockOwner | undefined> {
	try {
		await access(lock);
	} catch {
		return undefined;
	}
	const owner = await readLockOwner(lock);
	const dead = owner.host === os.hostname() && owner.pid !== undefined && !processAlive(owner.pid);
	return dead ? undefined : owner;
}

/** The run of the other kind working in `runDir` (shards for an unsharded run, and the reverse), if any. */
async function otherKindOfRun(
	runDir: string,
	stateDir: string,
): Promise<{what: string; lock: string; owner: LockOwner} | undefined> {
	if (stateDir !== runDir) {
		const lock = path.join(runDir, runFiles.lock);
		const owner = await liveHolder(lock);
		return owner && {what: 'an unsharded run', lock, owner};
	}
	for (const spec of await listShards(runDir)) {
		const lock = path.join(shardStateDir(runDir, spec), runFiles.lock);
		const owner = await liveHolder(lock);
		if (owner) return {what: `shard ${shardLabel(spec)}`, lock, owner};
	}
	return undefined;
}

/**
 * Takes the folder's run lock, or refuses (UserError naming the holder and the fix) while another run holds
 * it, or while a run of the other kind (sharded or not) works in the run folder `runDir`. A merge takes the
 * run folder's lock as an unsharded run does: it waits for every run and shard working there.
 */
export async function lockRunFolder(
	stateDir: string,
	runDir = stateDir,
	doing: 'run' | 'merge' = 'run',
): Promise<RunLock> {
	const lock = path.join(stateDir, runFiles.lock);
	const handle = await takeLock(lock);
	if (!handle) {
		const owner = await readLockOwner(lock);
		throw new UserError(`${stateDir} is in use by another run (${holderOf(owner)}); ${fixFor(owner, lock)}`);
	}
	try {
		await handle.writeFile(lockRecord(doing));
		await handle.close();
	} catch (error) {
		await handle.close().catch(() => undefined);
		await rm(lock, {force: true});
		throw error;
	}
	const other = await otherKindOfRun(runDir, stateDir);
	if (other) {
		await rm(lock, {force: true});
		const why =
			doing === 'merge'
				? 'merge when it has ended'
				: 'a sharded and an unsharded run cannot work in one folder at once';
		const elsewhere = doing === 'merge' ? '' : ', or give this run another --out';
		throw new UserError(
			`${runDir} is in use by ${other.what} (${holderOf(other.owner)}); ${why}: ${fixFor(other.owner, other.lock)}${elsewhere}`,
		);
	}
	let released: Promise<void> | undefined;
	return {release: () => (released ??= rm(lock, {force: true}))};
}
