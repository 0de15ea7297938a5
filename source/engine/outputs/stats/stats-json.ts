import path from 'node:path';
import {writeJsonAtomic} from '../../fs/atomic.js';
import type {StatsDocument} from '../../masks/stats-types.js';
import {runFiles} from '../../run-folder/paths.js';

/** stats.json: overall statistics first, then every tile's in grid order (whatever order they finished in). */
export async function writeStatsJson(runDir: string, stats: StatsDocument): Promise<string> {
	const file = path.join(runDir, runFiles.stats);
	const tiles = [...stats.tiles].sort((a, b) => a.row - b.row || a.col - b.col);
	await writeJsonAtomic(file, {overall: stats.overall, tiles});
	return file;
}
