/**
 * Atomic writes: readers see the old file or the whole new one, never a part. The temporary file is named
 * after the writer (`<file>.<host>.<pid>-<random>.deepmask-tmp`), so a later run can tell the leftovers of a
 * killed process (SIGKILL leaves no chance to clean up) from files another live process is writing, and
 * remove only the former. (write-file-atomic's temporary names carry no such owner, hence this module.)
 *
 * On a shared folder anyone may plant a link at a temporary's name, so the name is unpredictable and the
 * file is created exclusively without following links: a planted name fails the write instead of
 * redirecting it outside the folder.
 */
import {randomBytes} from 'node:crypto';
import {constants} from 'node:fs';
import {copyFile, mkdir, open, readdir, rename, rm, type FileHandle} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {processAlive} from './process-alive.js';
import {storageError} from './storage-errors.js';

const suffix = '.deepmask-tmp';
const host = os.hostname().replace(/[^A-Za-z0-9-]/g, '_');
const exclusiveNoFollow = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** A fresh, unpredictable temporary path beside `file`, owned by this process. */
export function temporaryPathFor(file: string): string {
	return `${file}.${host}.${process.pid}-${randomBytes(8).toString('hex')}${suffix}`;
}

export function isTemporary(fileName: string): boolean {
	return fileName.endsWith(suffix);
}

/** A new temporary file beside `file`, created exclusively (never through a link or over an existing file). */
export async function openTemporary(file: string): Promise<{temporary: string; handle: FileHandle}> {
	const temporary = temporaryPathFor(file);
	return {temporary, handle: await open(temporary, exclusiveNoFollow, 0o644)};
}

/** Throws UserError for a folder that cannot be written and RunError for a full disk (see storage-errors.ts). */
export async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
	let temporary: string | undefined;
	try {
		await mkdir(path.dirname(file), {recursive: true});
		const opened = await openTemporary(file);
		temporary = opened.temporary;
		try {
			await opened.handle.writeFile(data);
			await opened.handle.sync();
		} finally {
			await opened.handle.close();
		}
		await rename(temporary, file);
	} catch (error) {
		if (temporary) await rm(temporary, {force: true});
		throw storageError(error, file);
	}
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
	await writeAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Copy so that readers of `to` see the old file or the whole new one; the copy never goes through a link. */
export async function copyAtomic(from: string, to: string): Promise<void> {
	await mkdir(path.dirname(to), {recursive: true});
	const temporary = temporaryPathFor(to);
	try {
		await copyFile(from, temporary, constants.COPYFILE_EXCL);
		await rename(temporary, to);
	} catch (error) {
		await rm(temporary, {force: true});
		throw storageError(error, to);
	}
}

/**
 * Remove, under `dir`, the temporary files of processes on this host that no longer run. Returns how
 * many were removed. Files of other hosts (shards on shared storage) are left to those hosts.
 */
export async function removeStaleTemporaries(dir: string): Promise<number> {
	let entries;
	try {
		entries = await readdir(dir, {recursive: true, withFileTypes: true});
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
		throw error;
	}
	const pattern = new RegExp(`\\.${host}\\.(\\d+)-[0-9a-f]+${suffix.replace('.', '\\.')}$`);
	let removed = 0;
	for (const entry of entries) {
		const match = entry.isFile() ? pattern.exec(entry.name) : null;
		if (!match || processAlive(Number(match[1]))) continue;
		await rm(path.join(entry.parentPath ?? (entry as unknown as {path: string}).path, entry.name), {force: true});
		removed++;
	}
	return removed;
}
