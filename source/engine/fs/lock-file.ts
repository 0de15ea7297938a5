/**
 * Lock files created exclusively (O_EXCL, atomic on local filesystems, NFSv3+ and Lustre). A lock left
 * by a dead process of this host is taken over; one of another host, or an empty or damaged one, never is.
 */
import {open, readFile, rm, type FileHandle} from 'node:fs/promises';
import os from 'node:os';
import {processAlive} from './process-alive.js';

export type LockOwner = {host?: string; pid?: number; since?: string};

/** Who holds the lock, as far as its file says; nothing for an empty or damaged one. */
export function lockOwner(text: string): LockOwner {
	try {
		const owner = JSON.parse(text) as unknown;
		if (typeof owner !== 'object' || owner === null) return {};
		const {host, pid, since} = owner as Record<string, unknown>;
		return {
			...(typeof host === 'string' && {host}),
			...(typeof pid === 'number' && Number.isInteger(pid) && pid > 0 && {pid}),
			...(typeof since === 'string' && {since}),
		};
	} catch {
		return {};
	}
}

export function readLockOwner(lock: string): Promise<LockOwner> {
	return readFile(lock, 'utf8').then(lockOwner, (): LockOwner => ({}));
}

/** The lock file, created exclusively; undefined while another process holds it (or its file is unreadable). */
export async function takeLock(lock: string, retry = true): Promise<FileHandle | undefined> {
	try {
		return await open(lock, 'wx');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
	}
	const owner = await readLockOwner(lock);
	if (!retry || owner.host !== os.hostname() || owner.pid === undefined || processAlive(owner.pid)) return undefined;
	await rm(lock, {force: true});
	return takeLock(lock, false);
}

/** What a lock file says of its holder: this process, this host, now, and what it does. */
export function lockRecord(by: string): string {
	return JSON.stringify({by, host: os.hostname(), pid: process.pid, since: new Date().toISOString()});
}
