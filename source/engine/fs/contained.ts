/**
 * Paths that stay inside their folder: ids read from state files never reach outside the run folder,
 * and links planted in a shared run folder never carry a write outside it.
 */
import {readdir, realpath} from 'node:fs/promises';
import path from 'node:path';
import {UserError} from '../../errors.js';

/** Whether `candidate` is `root` or lies inside it (both absolute and resolved). */
export function isInside(root: string, candidate: string): boolean {
	const relative = path.relative(root, candidate);
	return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** `file` with every link resolved, also when it (or its parents) do not exist yet. */
export async function resolvedPath(file: string): Promise<string> {
	const absolute = path.resolve(file);
	const parent = path.dirname(absolute);
	const real = await realpath(absolute).catch(() => undefined);
	if (real !== undefined) return real;
	return parent === absolute ? absolute : path.join(await resolvedPath(parent), path.basename(absolute));
}

/** `relative` joined to `root`; UserError when it would leave `root` (`..`, an absolute path). */
export function pathInside(root: string, relative: string): string {
	const resolved = path.resolve(root, relative);
	if (!isInside(path.resolve(root), resolved))
		throw new UserError(`${relative} leads outside ${root}; the file that named it is damaged or forged`);
	return resolved;
}

/**
 * UserError naming the first symbolic link under `root` that leads outside it (a `tiles/` link to
 * elsewhere would have the run write through it). Links that stay inside are fine.
 */
export async function refuseLinksLeaving(root: string): Promise<void> {
	let entries;
	try {
		entries = await readdir(root, {recursive: true, withFileTypes: true});
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw error;
	}
	const realRoot = await realpath(root);
	for (const entry of entries) {
		if (!entry.isSymbolicLink()) continue;
		const link = path.join(entry.parentPath ?? (entry as unknown as {path: string}).path, entry.name);
		const target = await realpath(link).catch(() => undefined);
		if (target === undefined || !isInside(realRoot, target))
			throw new UserError(
				`${link} is a symbolic link leading outside ${root}${target ? ` (to ${target})` : ''}; deepmask writes only inside the run folder: remove the link, or choose another --out`,
			);
	}
}
