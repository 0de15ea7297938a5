/**
 * Filesystem failures in words a user can act on: a run folder that cannot be written is bad input
 * (UserError, exit 2: choose another --out); a full disk is a failed run (RunError, exit 1: free space
 * and rerun, which resumes). Anything else passes through unchanged.
 */
import {constants} from 'node:fs';
import {access, mkdir, stat} from 'node:fs/promises';
import path from 'node:path';
import {messageOf, RunError, UserError} from '../../errors.js';

const fullDisk = new Set(['ENOSPC', 'EDQUOT']);
const notWritable = new Set(['EACCES', 'EPERM', 'EROFS']);

function codeOf(error: unknown): string | undefined {
	return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** The error to throw for a failed write of `file`. */
export function storageError(error: unknown, file: string): unknown {
	const code = codeOf(error);
	if (code && fullDisk.has(code)) {
		return new RunError(
			`no space left on the device holding ${file}; free some space or choose another --out, then rerun the same command to resume (finished tiles are kept)`,
			{cause: error},
		);
	}
	if (code && notWritable.has(code)) {
		return new UserError(
			`cannot write ${file} (${code === 'EROFS' ? 'read-only filesystem' : 'permission denied'}); choose a run folder you can write with --out`,
			{cause: error},
		);
	}
	return error;
}

/** The nearest of `dir` and its parents that exists. */
async function nearestExisting(dir: string): Promise<{at: string; isDirectory: boolean}> {
	for (let at = dir; ; at = path.dirname(at)) {
		try {
			return {at, isDirectory: (await stat(at)).isDirectory()};
		} catch {
			if (path.dirname(at) === at) return {at, isDirectory: true};
		}
	}
}

async function whyNotWritable(dir: string, error: unknown): Promise<string> {
	const existing = await nearestExisting(dir);
	if (!existing.isDirectory) return `${existing.at} is a file, not a folder`;
	let code = codeOf(error);
	try {
		await access(existing.at, constants.W_OK);
	} catch (accessError) {
		code = codeOf(accessError) ?? code;
	}
	if (code === 'EROFS') return `${existing.at} is on a read-only filesystem`;
	if (code === 'EACCES' || code === 'EPERM') return `no permission to write in ${existing.at}`;
	if (code && fullDisk.has(code)) return `no space left on the device holding ${existing.at}`;
	return messageOf(error);
}

/**
 * Create the run (or output) folder and its parents and check it can be written, before any work:
 * a UserError naming the folder and the reason otherwise.
 */
export async function prepareRunFolder(dir: string, what = 'the run folder'): Promise<void> {
	try {
		await mkdir(dir, {recursive: true});
		await access(dir, constants.W_OK);
	} catch (error) {
		throw new UserError(`cannot write ${what} ${dir}: ${await whyNotWritable(dir, error)}; choose another --out`, {
			cause: error,
		});
	}
}
