/**
 * Where a sharded run keeps its per-shard files, inside the shared run folder:
 *
 *   shards/<I>-of-<N>/manifest.json   the shard's manifest (its resume state)
 *   shards/<I>-of-<N>/status.json     the shard's live snapshot (deepmask watch)
 *   shards/<I>-of-<N>/result.json     written once the shard's tiles are written: tiles, statistics, settings
 *   shards/merged.json                written once the run-wide outputs cover every shard
 *   shards/finalise.lock              held while a shard writes the run-wide outputs
 *
 * Tiles, probabilities, masks and training chips go where an unsharded run puts them.
 */
import {readdir} from 'node:fs/promises';
import path from 'node:path';
import {UserError} from '../../errors.js';
import type {ShardSpec} from '../shard/shard-spec.js';
import {runFiles} from './paths.js';

export const shardsDir = 'shards';
export const shardFiles = {
	result: 'result.json',
	status: runFiles.status,
	manifest: runFiles.manifest,
	merged: 'merged.json',
	lock: 'finalise.lock',
} as const;

export function shardFolderName(spec: ShardSpec): string {
	return `${spec.index}-of-${spec.count}`;
}

export function shardStateDir(runDir: string, spec: ShardSpec): string {
	return path.join(runDir, shardsDir, shardFolderName(spec));
}

export function shardResultFile(runDir: string, spec: ShardSpec): string {
	return path.join(shardStateDir(runDir, spec), shardFiles.result);
}

/**
 * Every shard folder of the run folder, by count then index. A folder of more shards than `maxCount` (see
 * maxShardCount) is refused: no run makes one, and counting its missing shards would never end.
 */
export async function listShards(runDir: string, maxCount = Number.POSITIVE_INFINITY): Promise<ShardSpec[]> {
	let names: string[];
	try {
		names = await readdir(path.join(runDir, shardsDir));
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
		throw error;
	}
	const specs: ShardSpec[] = [];
	for (const name of names) {
		const match = /^(\d+)-of-(\d+)$/.exec(name);
		if (!match) continue;
		const spec = {index: Number(match[1]), count: Number(match[2])};
		if (spec.count > maxCount || spec.index < 1 || spec.index > spec.count)
			throw new UserError(
				`${path.join(runDir, shardsDir, name)} is not a shard of this run (${Number.isFinite(maxCount) ? `a run of this plan has at most ${maxCount} shards` : `shard ${spec.index} of ${spec.count}`}); delete that folder`,
			);
		specs.push(spec);
	}
	return specs.sort((a, b) => a.count - b.count || a.index - b.index);
}
