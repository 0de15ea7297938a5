import path from 'node:path';
import {writeJsonAtomic} from '../fs/atomic.js';
import type {StatsDocument} from '../masks/stats-types.js';
import {runFiles} from './paths.js';

/** stats.json: overall statistics first, then every tile's (in plan order as given). */
export async function writeStatsJson(runDir: string, stats: StatsDocument): Promise<string> {
	const file = path.join(runDir, runFiles.stats);
	await writeJsonAtomic(file, {overall: stats.overall, tiles: stats.tiles});
	return file;
}
