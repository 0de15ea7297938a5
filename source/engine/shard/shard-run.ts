/**
 * What makes a run a shard: its share of the tiles, its own manifest and status file, and instead of
 * the run-wide outputs its result file (then the run-wide outputs too, when it is the last to finish).
 */
import type {AreaFeatures} from '../../config/preset-schema.js';
import {UserError} from '../../errors.js';
import type {Finaliser} from '../outputs/run-outputs.js';
import {makePlan, type PlanSettings} from '../geo/plan.js';
import {shardStateDir} from '../run-folder/shard-layout.js';
import {mergeIfComplete, type AutoMerge, type MergeSummary} from './merge.js';
import {shardResult, writeShardResult} from './result.js';
import {maxShardCount, shardLabel, shardTiles, type ShardSpec} from './shard-spec.js';

/** What a shard's finalising did: wrote the run-wide outputs (the last shard), found them written by another, or waits. */
export type ShardOutcome = {resultFile: string; merged?: MergeSummary; mergedBy?: string; waiting?: string};

export type ShardRunOptions = {
	tileIds: ReadonlySet<string>;
	stateDir: string;
	finalise: Finaliser;
};

export type ShardRun = {
	options: ShardRunOptions;
	tiles: number;
	planTiles: number;
	outcome: () => ShardOutcome | undefined;
};

/** The startRun options of shard `spec` of the preset's plan in `runDir`, and what its finalising did (once it has). */
export function shardRun(spec: ShardSpec, settings: PlanSettings, runDir: string, area?: AreaFeatures): ShardRun {
	const plan = makePlan(settings, area);
	if (spec.count > maxShardCount(plan.tiles.length))
		throw new UserError(
			`shard ${shardLabel(spec)}: the plan has ${plan.tiles.length} tiles, so ${spec.count} shards would leave most with nothing to do; use at most ${maxShardCount(plan.tiles.length)} shards`,
		);
	const tileIds = new Set(shardTiles(plan.tiles, spec).map((tile) => tile.id));
	let outcome: ShardOutcome | undefined;
	const finalise: Finaliser = async (outputs, stats) => {
		const resultFile = await writeShardResult(outputs.settings.runDir, shardResult(spec, outputs.settings, stats));
		let merge: AutoMerge;
		try {
			merge = await mergeIfComplete(outputs.settings.runDir, spec);
		} catch (error) {
			// This shard's own work is done and recorded; what keeps the run-wide outputs back is for `deepmask merge` to report.
			if (!(error instanceof UserError)) throw error;
			merge = {state: 'waiting', reason: error.message};
		}
		if (merge.state === 'merged') {
			outcome = {resultFile, merged: merge.summary};
			return {files: [resultFile, ...merge.summary.files], features: merge.summary.features};
		}
		outcome = merge.state === 'already' ? {resultFile, mergedBy: merge.by} : {resultFile, waiting: merge.reason};
		return {files: [resultFile]};
	};
	return {
		options: {tileIds, stateDir: shardStateDir(runDir, spec), finalise},
		tiles: tileIds.size,
		planTiles: plan.tiles.length,
		outcome: () => outcome,
	};
}
