import path from 'node:path';

export type WriteResult = {runDir: string; files: string[]; tiles?: number};

/** The written files by their first folder under the run folder ("masks/"), files at its top by name. */
export function filesByFolder(result: WriteResult): Map<string, string[]> {
	const groups = new Map<string, string[]>();
	for (const file of result.files) {
		const [first, ...rest] = path.relative(result.runDir, path.resolve(result.runDir, file)).split(path.sep);
		const key = rest.length ? `${first}/` : first;
		groups.set(key, [...(groups.get(key) ?? []), rest.join('/')]);
	}
	return groups;
}

/**
 * One line for the normal screen after the app: what was written where, with the files grouped
 * by their first folder ("masks/ (4)") so a thousand tiles still fit on a line.
 */
export function writtenLine(preset: string, result: WriteResult): string {
	const what = [...filesByFolder(result)]
		.map(([name, files]) => (name.endsWith('/') ? `${name} (${files.length})` : name))
		.join(', ');
	const tiles = result.tiles === undefined ? '' : `masks of ${result.tiles} tile${result.tiles === 1 ? '' : 's'} `;
	return `${preset}: wrote ${tiles}to ${result.runDir}${what ? `: ${what}` : ''}`;
}
