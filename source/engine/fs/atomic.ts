/**
 * Atomic writes: readers see the old file or the whole new one, never a part. The temporary file is named
 * after the writer (`<file>.<host>.<pid>-<n>.deepmask-tmp`), so a later run can tell the leftovers of a
 * killed process (SIGKILL leaves no chance to clean up) from files another live process is writing, and
 * remove only the former. (write-file-atomic's temporary names carry no such owner, hence this module.)
 */
import {mkdir, open, readdir, rename, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {processAlive} from './process-alive.js';
import {storageError} from './storage-errors.js';

const suffix = '.deepmask-tmp';
const host = os.hostname().replace(/[^A-Za-z0-9-]/g, '_');
let counter = 0;

/** A fresh temporary path beside `file`, owned by this process. */
export function temporaryPathFor(file: string): string {
	return `${file}.${host}.${process.pid}-${++counter}${suffix}`;
}

export function isTemporary(fileName: string): boolean {
	return fileName.endsWith(suffix);
}

/** Throws UserError for a folder that cannot be written and RunError for a full disk (see storage-errors.ts). */
export async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
	const temporary = temporaryPathFor(file);
	try {
		await mkdir(path.dirname(file), {recursive: true});
		const handle = await open(temporary, 'w');
		try {
			await handle.writeFile(data);
			await handle.sync();
		} finally {
			await handle.close();
		}
		await rename(temporary, file);
	} catch (error) {
		await rm(temporary, {force: true});
		throw storageError(error, file);
	}
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
	await writeAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
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
	const pattern = new RegExp(`\\.${host}\\.(\\d+)-\\d+${suffix.replace('.', '\\.')}$`);
	let removed = 0;
	for (const entry of entries) {
		const match = entry.isFile() ? pattern.exec(entry.name) : null;
		if (!match || processAlive(Number(match[1]))) continue;
		await rm(path.join(entry.parentPath ?? (entry as unknown as {path: string}).path, entry.name), {force: true});
		removed++;
	}
	return removed;
}
