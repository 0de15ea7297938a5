/**
 * The finished shards of one or more run folders of the same plan: which shard holds which tile,
 * whether every tile is covered, and whether the shards agree on how their masks were made.
 */
import path from 'node:path';
import {UserError} from '../../errors.js';
import type {Plan, Tile} from '../geo/plan.js';
import {listShards, shardFolderName, shardResultFile, shardsDir} from '../run-folder/shard-layout.js';
import {planDifferences, planKey, readPlanFile} from './plan-key.js';
import {readShardResult, type ShardResult, type ShardSettings} from './result.js';
import {maxShardCount, shardLabel} from './shard-spec.js';
import {runFiles} from '../run-folder/paths.js';

export type ShardSource = {runDir: string; result: ShardResult};

export type CollectedShards = {
	plan: Plan;
	/** Every finished shard found, in the order of the folders given. */
	sources: ShardSource[];
	/** The shard each tile comes from (the newest when several wrote it). */
	byTile: Map<string, ShardSource>;
	/** Tiles no finished shard covers. */
	missingTiles: Tile[];
	/** "I/N" of the shards with no result.json in any of the folders. */
	missingShards: string[];
};

function sameTile(planned: Tile | undefined, tile: Pick<Tile, 'row' | 'col'>): boolean {
	return planned !== undefined && planned.row === tile.row && planned.col === tile.col;
}

export function describeSource(source: ShardSource): string {
	return `shard ${shardLabel(source.result.shard)} (${path.join(source.runDir, shardsDir, shardFolderName(source.result.shard))})`;
}

export async function collectShards(runDirs: string[]): Promise<CollectedShards> {
	if (runDirs.length === 0) throw new UserError('name at least one run folder');
	const plans = await Promise.all(runDirs.map((dir) => readPlanFile(dir)));
	const plan = plans[0];
	for (const [k, other] of plans.entries()) {
		const differences = planDifferences(planKey(plan), planKey(other));
		if (differences.length > 0) {
			throw new UserError(
				`${runDirs[k]} holds another plan than ${runDirs[0]} (${differences.join('; ')}); only shards of the same plan can be merged`,
			);
		}
	}

	const planTiles = new Map(plan.tiles.map((tile) => [tile.id, tile]));
	const sources: ShardSource[] = [];
	const started = new Map<number, Set<number>>();
	const finished = new Map<number, Set<number>>();
	for (const runDir of runDirs) {
		for (const spec of await listShards(runDir, maxShardCount(plan.tiles.length))) {
			if (!started.has(spec.count)) started.set(spec.count, new Set());
			const result = await readShardResult(runDir, spec);
			if (!result) continue;
			const source = {runDir, result};
			const differences = planDifferences(planKey(plan), result.plan);
			if (differences.length > 0) {
				throw new UserError(
					`${describeSource(source)} was made for another plan than ${path.join(runDir, runFiles.plan)} (${differences.join('; ')}); only shards of the same plan can be merged: rerun that shard with the same preset and extent, or delete its folder`,
				);
			}
			const stranger = result.tiles.find((tile) => !sameTile(planTiles.get(tile.id), tile));
			if (stranger) {
				throw new UserError(
					`${shardResultFile(runDir, spec)} names tile ${JSON.stringify(stranger.id)} at row ${stranger.row}, column ${stranger.col}, which is not a tile of ${path.join(runDir, runFiles.plan)}; delete that result and rerun shard ${shardLabel(spec)}`,
				);
			}
			if (!finished.has(spec.count)) finished.set(spec.count, new Set());
			finished.get(spec.count)!.add(spec.index);
			sources.push(source);
		}
	}

	const byTile = new Map<string, ShardSource>();
	for (const source of sources) {
		for (const tile of source.result.tiles) {
			const current = byTile.get(tile.id);
			if (!current || current.result.writtenAt < source.result.writtenAt) byTile.set(tile.id, source);
		}
	}
	const missingTiles = plan.tiles.filter((tile) => !byTile.has(tile.id));
	const missingShards: string[] = [];
	for (const count of started.keys()) {
		for (let index = 1; index <= count; index++)
			if (!finished.get(count)?.has(index)) missingShards.push(shardLabel({index, count}));
	}
	return {plan, sources, byTile, missingTiles, missingShards};
}

/** The shards whose tiles make up the run. */
export function usedSources(collected: CollectedShards): ShardSource[] {
	return [...new Set(collected.byTile.values())];
}

/** Why the shards cannot be merged yet: every missing tile is named (the first few) with the shards that lack a result. */
export function missingMessage(collected: CollectedShards): string | undefined {
	const {missingTiles, missingShards, plan} = collected;
	if (missingTiles.length === 0) return undefined;
	const shown = missingTiles.slice(0, 8).map((tile) => tile.id);
	const more = missingTiles.length > shown.length ? ` and ${missingTiles.length - shown.length} more` : '';
	const shards = missingShards.length > 0 ? `; not finished: shard ${missingShards.join(', ')}` : '';
	return `${missingTiles.length} of ${plan.tiles.length} tiles have no finished shard (${shown.join(', ')}${more})${shards}`;
}

const settingNames: Record<keyof ShardSettings, string> = {
	threshold: 'threshold',
	models: 'models',
	postprocess: 'post-processing',
	classNames: 'class names',
	classColors: 'class colours',
	belowThreshold: 'classes.belowThreshold',
	maskSize: 'output.maskSize',
	formats: 'output.formats',
	tolerance: 'GeoJSON tolerance',
};

/** The settings all used shards share; UserError naming two shards that differ and how. */
export function commonSettings(sources: ShardSource[]): ShardSettings {
	const [first, ...rest] = sources;
	for (const other of rest) {
		const differing = (Object.keys(settingNames) as Array<keyof ShardSettings>).filter(
			(key) => JSON.stringify(first.result.settings[key]) !== JSON.stringify(other.result.settings[key]),
		);
		if (differing.length > 0) {
			const detail = differing
				.map(
					(key) =>
						`${settingNames[key]} ${JSON.stringify(first.result.settings[key]) ?? 'unset'} vs ${JSON.stringify(other.result.settings[key]) ?? 'unset'}`,
				)
				.join('; ');
			throw new UserError(
				`${describeSource(first)} and ${describeSource(other)} wrote their masks differently (${detail}); rerun one of them with the other's settings before merging`,
			);
		}
	}
	return first.result.settings;
}
