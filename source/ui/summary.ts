import path from 'node:path';

export type WriteResult = {runDir: string; files: string[]; tiles?: number};

/**
 * One line for the normal screen after the app: what was written where, with the files grouped
 * by their first folder ("masks/ (4)") so a thousand tiles still fit on a line.
 */
export function writtenLine(preset: string, result: WriteResult): string {
	const groups = new Map<string, number>();
	for (const file of result.files) {
		const [first, ...rest] = path.relative(result.runDir, path.resolve(result.runDir, file)).split(path.sep);
		const key = rest.length ? `${first}/` : first;
		groups.set(key, (groups.get(key) ?? 0) + 1);
	}
	const what = [...groups].map(([name, count]) => (name.endsWith('/') ? `${name} (${count})` : name)).join(', ');
	const tiles = result.tiles === undefined ? '' : `masks of ${result.tiles} tile${result.tiles === 1 ? '' : 's'} `;
	return `${preset}: wrote ${tiles}to ${result.runDir}${what ? `: ${what}` : ''}`;
}
