/** result.json of a shard: what it wrote and what the run-wide outputs need from it. */
import os from 'node:os';
import {UserError} from '../../errors.js';
import {readTextIfExists} from '../fs/read-optional.js';
import {writeJsonAtomic} from '../fs/atomic.js';
import {outputFormatNames, type OutputFormat} from '../../config/preset-schema.js';
import {classNamesOf, customColorsOf} from '../classes/class-config.js';
import type {Threshold} from '../classes/threshold.js';
import type {PaletteEntry} from '../geo/georaster.js';
import type {Size} from '../geo/resize-nearest.js';
import type {PostprocessSettings} from '../masks/postprocess.js';
import type {StatsDocument, TileStats} from '../masks/stats-types.js';
import type {OutputSettings} from '../outputs/run-outputs.js';
import {planKey, type PlanKey} from './plan-key.js';
import {shardResultFile} from '../run-folder/shard-layout.js';
import {shardLabel, type ShardSpec} from './shard-spec.js';
import {parseShardResult} from './result-schema.js';

/** The output settings every shard of one run must share. */
export type ShardSettings = {
	threshold: Threshold;
	models: string[];
	postprocess: PostprocessSettings;
	classNames: Record<string, string>;
	/** The models' class_colors where they differ from the default palette. */
	classColors?: Record<string, PaletteEntry>;
	/** Set when the masks have an uncertain class (the preset's classes.belowThreshold): the classes above lack it. */
	belowThreshold?: 'uncertain';
	maskSize?: Size;
	formats: OutputFormat[];
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
export function shardResult(spec: ShardSpec, outputs: OutputSettings, stats: StatsDocument): ShardResult {
	const {overall, tiles} = stats;
	return {
		version: 1,
		shard: spec,
		plan: planKey(outputs.plan),
		settings: {
			threshold: overall.threshold,
			models: overall.models,
			postprocess: overall.postprocess,
			classNames: classNamesOf(outputs.classes),
			...(customColorsOf(outputs.classes) && {classColors: customColorsOf(outputs.classes)}),
			...(outputs.classes.uncertain !== undefined && {belowThreshold: 'uncertain' as const}),
			...(outputs.maskSize && {maskSize: outputs.maskSize}),
			formats: outputs.formats,
			...(outputs.tolerance !== undefined && {tolerance: outputs.tolerance}),
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

/** A result written before output.formats said its formats with the two booleans; those mean what they meant. */
function formatsOfEarlierResult(settings: {geojson?: unknown; training?: unknown} | undefined): OutputFormat[] {
	if (typeof settings?.geojson !== 'boolean' || typeof settings.training !== 'boolean')
		throw new Error('it names no output formats');
	return outputFormatNames.filter(
		(format) => (format !== 'geojson' || settings.geojson) && (format !== 'training' || settings.training),
	);
}

/** The shard's result, or undefined when it has not written its tiles yet. */
export async function readShardResult(runDir: string, spec: ShardSpec): Promise<ShardResult | undefined> {
	const file = shardResultFile(runDir, spec);
	const text = await readTextIfExists(file);
	if (text === undefined) return undefined;
	try {
		const result = parseShardResult(JSON.parse(text));
		if (result.shard.index !== spec.index || result.shard.count !== spec.count)
			throw new Error(`it says it is shard ${shardLabel(result.shard)}`);
		if (!Array.isArray(result.settings?.formats))
			result.settings = {...result.settings, formats: formatsOfEarlierResult(result.settings as object)};
		return result;
	} catch (error) {
		throw new UserError(
			`${file} cannot be read (${(error as Error).message}); delete it and rerun shard ${spec.index}/${spec.count} to write it again`,
		);
	}
}
