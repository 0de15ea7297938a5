/**
 * The run-wide outputs of a sharded run (the run-wide files of its output formats),
 * from the shards' result files and the per-tile files on disk: written by `deepmask merge`, or by
 * the last shard to finish. Byte for byte what an unsharded run of the same plan writes.
 */
import {mkdir, readdir, readFile, realpath, rm, rmdir} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {UserError} from '../../errors.js';
import {writeJsonAtomic} from '../fs/atomic.js';
import {mergeStats} from '../masks/run-stats.js';
import {tileOutsideArea} from '../geo/area-clip.js';
import {readGeoTiffFile} from '../geo/geotiff.js';
import {readTileNodata} from '../pipeline/tile-nodata.js';
import {summariseMosaic} from '../pipeline/mosaic-summary.js';
import {ProbabilityCache} from '../pipeline/probability-cache.js';
import {fromProbabilities} from '../pipeline/restat.js';
import {exists} from '../fs/exists.js';
import {classConfigOf} from '../classes/class-config.js';
import {runClasses} from '../classes/threshold.js';
import type {OutputFormat, WrittenFiles} from '../outputs/output-writer.js';
import {openOutputs} from '../outputs/run-outputs.js';
import {maskFile, memberProbabilityFile, probabilityFile, runFiles, tileFile} from '../run-folder/paths.js';
import {chipFiles, chipIndex} from '../outputs/training/training-chips.js';
import type {Plan, Tile} from '../geo/plan.js';
import {
	collectShards,
	commonSettings,
	missingMessage,
	usedSources,
	type CollectedShards,
	type ShardSource,
} from './collect.js';
import {shardFiles, shardFolderName, shardResultFile, shardsDir} from '../run-folder/shard-layout.js';
import {planDifferences, planKey, readPlanFile} from './plan-key.js';
import {lockRecord, takeLock} from '../fs/lock-file.js';
import {lockRunFolder} from '../run-folder/run-lock.js';
import {copyAtomic, isTemporary} from '../fs/atomic.js';
import {pathInside, refuseLinksLeaving} from '../fs/contained.js';
import {shardLabel, type ShardSpec} from './shard-spec.js';

export type MergeSummary = WrittenFiles & {
	runDir: string;
	tiles: number;
	shards: string[];
	copied: number;
	formats: OutputFormat[];
};

/** Every per-tile file a shard may have written for the tile, relative to the run folder. */
function tileFiles(plan: Plan, tile: Tile, models: string[]): string[] {
	return [
		tileFile('rgb', tile.id),
		tileFile('dsm', tile.id),
		probabilityFile('', tile.id),
		...models.map((model) => memberProbabilityFile('', model, tile.id)),
		maskFile('', tile.id),
		...chipFiles(runFiles.trainingDir, chipIndex(tile, plan.cols)),
	];
}

async function sameFolder(a: string, b: string): Promise<boolean> {
	return (await realpath(a).catch(() => path.resolve(a))) === (await realpath(b).catch(() => path.resolve(b)));
}

/** Bring the tiles (and the shard folders) of shards in other run folders into `runDir`. Returns the number of files copied. */
async function gatherInto(runDir: string, collected: CollectedShards): Promise<number> {
	let copied = 0;
	const local = new Map<string, boolean>();
	for (const source of collected.sources)
		if (!local.has(source.runDir)) local.set(source.runDir, await sameFolder(source.runDir, runDir));
	const foreign = new Map<ShardSource, Tile[]>();
	for (const tile of collected.plan.tiles) {
		const source = collected.byTile.get(tile.id)!;
		if (local.get(source.runDir)) continue;
		if (!foreign.has(source)) foreign.set(source, []);
		foreign.get(source)!.push(tile);
	}
	for (const source of foreign.keys()) await refuseLinksLeaving(source.runDir);
	for (const [source, tiles] of foreign) {
		for (const tile of tiles) {
			for (const file of tileFiles(collected.plan, tile, source.result.settings.models)) {
				const from = pathInside(source.runDir, file);
				if (!(await exists(from))) continue;
				await copyAtomic(from, pathInside(runDir, file));
				copied++;
			}
		}
		const folder = path.join(shardsDir, shardFolderName(source.result.shard));
		for (const entry of await readdir(pathInside(source.runDir, folder), {withFileTypes: true})) {
			if (!entry.isFile() || isTemporary(entry.name)) continue;
			await copyAtomic(
				pathInside(source.runDir, path.join(folder, entry.name)),
				pathInside(runDir, path.join(folder, entry.name)),
			);
			copied++;
		}
	}
	return copied;
}

/** The run-wide outputs over every tile of complete, consistent shards, into `runDir`. */
async function writeRunWide(runDir: string, collected: CollectedShards, by: string): Promise<MergeSummary> {
	const missing = missingMessage(collected);
	if (missing)
		throw new UserError(`cannot merge yet: ${missing}; wait for those shards or rerun them, then merge again`);
	const sources = usedSources(collected);
	const settings = commonSettings(sources);
	const {plan} = collected;
	await refuseLinksLeaving(runDir);
	if (!(await exists(path.join(runDir, runFiles.plan)))) await writeJsonAtomic(path.join(runDir, runFiles.plan), plan);
	const copied = await gatherInto(runDir, collected);
	const withNodata = new Set<string>();
	for (const source of sources)
		for (const tile of source.result.tiles) if (tile.nodataPixels > 0) withNodata.add(tile.id);
	const classes = runClasses(classConfigOf(settings.classNames, settings.classColors), settings.belowThreshold);
	// A fresh run of the formats: the training metadata reads back the chips every shard wrote.
	const outputs = openOutputs({
		runDir,
		plan,
		classes,
		maskSize: settings.maskSize,
		tolerance: settings.tolerance,
		formats: settings.formats,
	});
	const {postprocess, models, threshold} = settings;
	const cache = new ProbabilityCache();
	// Every tile again as one mosaic: the components (and with post-processing the masks, which each shard
	// post-processed knowing its own tiles only) are the whole run's.
	const {tiles, mosaic} = await summariseMosaic({
		plan,
		tiles: plan.tiles,
		postprocess,
		classes,
		...fromProbabilities(runDir, models, {
			threshold,
			postprocess,
			classes,
			nodata: async (t) =>
				withNodata.has(t.id)
					? readTileNodata(runDir, t.id, await exists(pathInside(runDir, tileFile('dsm', t.id))))
					: undefined,
			outside: (t) => tileOutsideArea(plan, t),
			cache,
		}),
		each:
			postprocess.minArea > 0 || postprocess.fillHoles > 0
				? async (tile, {mask}) => {
						const rgb = outputs.usesRgb
							? await readGeoTiffFile(pathInside(runDir, tileFile('rgb', tile.id)))
							: undefined;
						await outputs.writeTile({tile, mask, size: {width: tile.width, height: tile.height}, rgb});
					}
				: undefined,
	});
	const overall = mergeStats(tiles, {plan, threshold, models, postprocess, mosaic});
	const result = await outputs.finalise({overall, tiles});
	const shards = sources.map((source) => shardLabel(source.result.shard));
	const record: MergedRecord = {
		mergedAt: new Date().toISOString(),
		by,
		host: os.hostname(),
		pid: process.pid,
		tiles: plan.tiles.length,
		shards,
		results: resultsKey(sources),
	};
	await writeJsonAtomic(path.join(runDir, shardsDir, shardFiles.merged), record);
	return {...result, runDir, tiles: plan.tiles.length, shards, copied, formats: settings.formats};
}

/** shards/merged.json: when, by whom, and from which shard results the run-wide outputs were written. */
type MergedRecord = {
	mergedAt: string;
	by: string;
	host: string;
	pid: number;
	tiles: number;
	shards: string[];
	results: Record<string, string>;
};

/** Which results (shard and when it was written) the outputs come from. */
function resultsKey(sources: ShardSource[]): Record<string, string> {
	const entries = sources.map(
		(source) => [`${shardLabel(source.result.shard)} ${source.runDir}`, source.result.writtenAt] as const,
	);
	return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

async function readMergedRecord(runDir: string): Promise<MergedRecord | undefined> {
	try {
		return JSON.parse(await readFile(path.join(runDir, shardsDir, shardFiles.merged), 'utf8')) as MergedRecord;
	} catch {
		return undefined;
	}
}

/**
 * `deepmask merge`: the shards of `runDirs` (one shared folder, or several folders of the same plan)
 * into `into` (default the first folder), copying the tiles of shards that live elsewhere.
 */
export async function mergeRunFolders(runDirs: string[], into?: string): Promise<MergeSummary> {
	const collected = await collectShards(runDirs);
	if (collected.sources.length === 0) {
		throw new UserError(
			`no finished shard in ${runDirs.join(', ')} (no ${shardsDir}/I-of-N/${shardFiles.result}); run the shards first: deepmask run --shard I/N ...`,
		);
	}
	const target = path.resolve(into ?? runDirs[0]);
	if (into !== undefined && (await exists(path.join(target, runFiles.plan)))) {
		const differences = planDifferences(planKey(collected.plan), planKey(await readPlanFile(target)));
		if (differences.length > 0)
			throw new UserError(
				`${target} holds another plan (${differences.join('; ')}); merge into an empty folder or one of the same plan`,
			);
	}
	// A folder made here and left empty by a refusal goes again (rmdir removes only an empty one).
	const made = await mkdir(target, {recursive: true});
	const removeIfEmpty = () => (made ? rmdir(made).catch(() => undefined) : undefined);
	// Not while a run or a shard works in the folder; and not beside a last shard writing the same outputs.
	const runLock = await lockRunFolder(target, target, 'merge').catch(async (error: unknown) => {
		await removeIfEmpty();
		throw error;
	});
	try {
		const finaliseLock = path.join(target, shardsDir, shardFiles.lock);
		await mkdir(path.dirname(finaliseLock), {recursive: true});
		const handle = await takeLock(finaliseLock);
		if (!handle)
			throw new UserError(
				`a shard is writing the run-wide outputs of ${target} (${finaliseLock} exists); wait for it, or if none is running, delete the lock and merge again`,
			);
		try {
			await handle.writeFile(lockRecord('deepmask merge'));
			await handle.close();
			return await writeRunWide(target, collected, 'deepmask merge');
		} finally {
			await rm(finaliseLock, {force: true});
		}
	} finally {
		await runLock.release();
		await removeIfEmpty();
	}
}

export type AutoMerge =
	{state: 'merged'; summary: MergeSummary} | {state: 'waiting'; reason: string} | {state: 'already'; by: string};

/**
 * After shard `by` has written its result: when every tile of the plan is covered by a finished shard,
 * this shard is the last and writes the run-wide outputs. An exclusive lock file (O_EXCL, atomic on
 * local filesystems, NFSv3+ and Lustre) lets one shard at a time in; inside it, outputs that
 * shards/merged.json says were already written from these very results are not written again. So of
 * two shards that both find the run complete, one writes; every file is renamed into place whole anyway.
 */
export async function mergeIfComplete(runDir: string, by: ShardSpec): Promise<AutoMerge> {
	// Cheap first: until every shard of this count has a result file, no result needs reading.
	const unfinished: string[] = [];
	for (let index = 1; index <= by.count; index++)
		if (!(await exists(shardResultFile(runDir, {index, count: by.count}))))
			unfinished.push(shardLabel({index, count: by.count}));
	if (unfinished.length > 0) return {state: 'waiting', reason: `not finished: shard ${unfinished.join(', ')}`};
	const missing = missingMessage(await collectShards([runDir]));
	if (missing) return {state: 'waiting', reason: missing};
	const lock = path.join(runDir, shardsDir, shardFiles.lock);
	const handle = await takeLock(lock);
	if (!handle)
		return {
			state: 'waiting',
			reason: `another shard is writing the run-wide outputs (${lock} exists); if none is, delete the lock and run deepmask merge ${runDir}`,
		};
	try {
		const writer = `shard ${shardLabel(by)}`;
		await handle.writeFile(lockRecord(writer));
		await handle.close();
		const collected = await collectShards([runDir]);
		const previous = await readMergedRecord(runDir);
		if (previous && JSON.stringify(previous.results) === JSON.stringify(resultsKey(usedSources(collected))))
			return {state: 'already', by: previous.by};
		return {state: 'merged', summary: await writeRunWide(runDir, collected, writer)};
	} finally {
		await rm(lock, {force: true});
	}
}
