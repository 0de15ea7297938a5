/** result.json of a shard: what it wrote and what the run-wide outputs need from it. */
import os from 'node:os';
import {UserError} from '../../errors.js';
import {readTextIfExists} from '../fs/read-optional.js';
import {writeJsonAtomic} from '../fs/atomic.js';
import type {PostprocessSettings} from '../masks/postprocess.js';
import type {TileStats} from '../masks/stats-types.js';
import type {FinaliseInput} from '../outputs/finalise.js';
import type {Size} from '../outputs/mask-raster.js';
import {planKey, type PlanKey} from './plan-key.js';
import {shardResultFile} from '../run-folder/shard-layout.js';
import type {ShardSpec} from './shard-spec.js';

/** The output settings every shard of one run must share. */
export type ShardSettings = {
	threshold: number;
	models: string[];
	postprocess: PostprocessSettings;
	classNames: Record<string, string>;
	maskSize?: Size;
	geojson: boolean;
	training: boolean;
	tolerance?: number;
};

export type ShardResult = {
	version: 1;
	shard: ShardSpec;
	plan: PlanKey;
	settings: ShardSettings;
	/** The shard's tiles in plan order, with their statistics at the threshold the masks were written at. */
	tiles: TileStats[];
	writtenAt: string;
	host: string;
	pid: number;
};

/** The shard's result from what its run would have finalised with. */
export function shardResult(spec: ShardSpec, input: FinaliseInput): ShardResult {
	if (!input.stats) throw new Error('a shard is finalised with its statistics');
	const {overall, tiles} = input.stats;
	return {
		version: 1,
		shard: spec,
		plan: planKey(input.plan),
		settings: {
			threshold: overall.threshold,
			models: overall.models,
			postprocess: overall.postprocess,
			classNames: input.classNames,
			...(input.maskSize && {maskSize: input.maskSize}),
			geojson: input.geojson,
			training: input.chips !== undefined,
			...(input.tolerance !== undefined && {tolerance: input.tolerance}),
		},
		tiles,
		writtenAt: new Date().toISOString(),
		host: os.hostname(),
		pid: process.pid,
	};
}

export async function writeShardResult(runDir: string, result: ShardResult): Promise<string> {
	const file = shardResultFile(runDir, result.shard);
	await writeJsonAtomic(file, result);
	return file;
}

/** The shard's result, or undefined when it has not written its tiles yet. */
export async function readShardResult(runDir: string, spec: ShardSpec): Promise<ShardResult | undefined> {
	const file = shardResultFile(runDir, spec);
	const text = await readTextIfExists(file);
	if (text === undefined) return undefined;
	try {
		const result = JSON.parse(text) as ShardResult;
		if (result.version !== 1 || !Array.isArray(result.tiles)) throw new Error('not a version 1 shard result');
		return result;
	} catch (error) {
		throw new UserError(`${file} cannot be read (${(error as Error).message}); delete it and rerun shard ${spec.index}/${spec.count} to write it again`);
	}
}
