import {defaultClasses, type ClassConfig} from '../classes/class-config.js';
import type {Threshold} from '../classes/threshold.js';
import {tileOutsideArea} from '../geo/area-clip.js';
import type {Plan, Tile} from '../geo/plan.js';
import {readGeoTiffFile} from '../geo/geotiff.js';
import {memberProbabilityFile, probabilityFile} from '../run-folder/paths.js';
import type {PostprocessSettings, TilePostprocess} from '../masks/postprocess.js';
import {eitherNodata} from '../infer/preprocess.js';
import {summariseMosaic, type MosaicSummaryInput, type TileForeground} from './mosaic-summary.js';
import type {Probability, ProbabilityCache} from './probability-cache.js';
import {mergeStats} from '../masks/run-stats.js';
import type {RunStats, TileStats} from '../masks/stats-types.js';
import {separatePlanes} from '../masks/planes.js';
import {summariseTile, tileForeground, type TileCounts, type TileSummary} from '../masks/tile-stats.js';

export type RestatOptions = {
	threshold: Threshold;
	postprocess: PostprocessSettings;
	/** Post-processing of the whole mosaic for the tile, in place of `postprocess` on the tile alone. */
	postprocessTile?: TilePostprocess;
	/** The tile's nodata mask (1 = no source data), e.g. read from tiles/dsm; the probability files do not carry one. */
	nodata?: (tile: Tile) => Promise<Uint8Array | undefined>;
	/** The tile's pixels outside the plan's area, when the run clips to one (geo/area-clip.ts). */
	outside?: (tile: Tile) => Uint8Array | undefined;
	/** Keeps decoded probabilities for the next restat (e.g. while the user tries thresholds). */
	cache?: ProbabilityCache;
	/** The run's classes; a binary model's when not given. */
	classes?: ClassConfig;
};

/** A probability file's class planes, plane-major. */
async function decodeProbability(file: string, tile: Tile, planes: number): Promise<Probability> {
	const raster = await readGeoTiffFile(file);
	if (raster.bands !== planes || !(raster.data instanceof Uint8Array)) {
		throw new Error(
			`${file} is not a ${planes}-band uint8 probability raster (tile ${tile.id}); delete it and rerun inference for the tile`,
		);
	}
	return {data: separatePlanes(raster.data, planes), width: raster.width, height: raster.height};
}

function readProbability(file: string, tile: Tile, planes: number, cache?: ProbabilityCache): Promise<Probability> {
	return cache ? cache.get(file, () => decodeProbability(file, tile, planes)) : decodeProbability(file, tile, planes);
}

/** The tile's stored ensemble and member probabilities; an error when a file is not one of this run's. */
export async function readTileProbabilities(
	runDir: string,
	tile: Tile,
	models: string[],
	classes: ClassConfig,
	cache?: ProbabilityCache,
): Promise<{ensemble: Probability; members: Probability[]}> {
	const [ensemble, members] = await Promise.all([
		readProbability(probabilityFile(runDir, tile.id), tile, classes.planes, cache),
		Promise.all(
			models.map((model) =>
				readProbability(memberProbabilityFile(runDir, model, tile.id), tile, classes.planes, cache),
			),
		),
	]);
	for (const [k, member] of members.entries()) {
		if (member.width !== ensemble.width || member.height !== ensemble.height) {
			throw new Error(
				`tile ${tile.id}: member ${models[k]} probability is ${member.width}×${member.height}, the ensemble's ${ensemble.width}×${ensemble.height}`,
			);
		}
	}
	return {ensemble, members};
}

/**
 * A tile's counts that hold at any threshold (tile-stats.ts), kept beside its cached ensemble probabilities with
 * what they were counted from, so that a new threshold counts them again only where that changed.
 */
type KeptCounts = {members: WeakRef<Probability>[]; nodata?: Uint8Array; outside?: Uint8Array; counts: TileCounts};
const keptCounts = new WeakMap<Probability, KeptCounts>();

function countedFrom(kept: KeptCounts, members: Probability[], nodata?: Uint8Array, outside?: Uint8Array): boolean {
	return (
		kept.members.length === members.length &&
		kept.members.every((member, k) => member.deref() === members[k]) &&
		sameMask(kept.nodata, nodata) &&
		sameMask(kept.outside, outside)
	);
}

function sameMask(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
	return a && b ? Buffer.compare(a, b) === 0 : a === b;
}

/** Mask and statistics of one tile for a new threshold and post-processing, from the stored probabilities. */
export async function restatTile(
	runDir: string,
	tile: Tile,
	models: string[],
	options: RestatOptions,
): Promise<TileSummary> {
	const {classes = defaultClasses, cache} = options;
	const [{ensemble, members}, nodata] = await Promise.all([
		readTileProbabilities(runDir, tile, models, classes, cache),
		options.nodata?.(tile),
	]);
	const outside = options.outside?.(tile);
	const kept = cache && keptCounts.get(ensemble);
	const summary = summariseTile({
		tile,
		probability: ensemble.data,
		members: members.map((member) => member.data),
		models,
		nodata,
		outside,
		width: ensemble.width,
		height: ensemble.height,
		threshold: options.threshold,
		postprocess: options.postprocess,
		postprocessTile: options.postprocessTile,
		classes,
		counts: kept && countedFrom(kept, members, nodata, outside) ? kept.counts : undefined,
	});
	if (cache && summary.counts && summary.counts !== kept?.counts) {
		const counted = members.map((member) => new WeakRef(member));
		keptCounts.set(ensemble, {members: counted, nodata, outside, counts: summary.counts});
	}
	return summary;
}

/** A tile's foreground at the threshold before post-processing, from the ensemble's probabilities alone. */
export async function restatForeground(
	runDir: string,
	tile: Tile,
	options: Omit<RestatOptions, 'postprocess' | 'postprocessTile'>,
): Promise<TileForeground> {
	const {classes = defaultClasses} = options;
	const [ensemble, nodata] = await Promise.all([
		readProbability(probabilityFile(runDir, tile.id), tile, classes.planes, options.cache),
		options.nodata?.(tile),
	]);
	const {data: probability, width, height} = ensemble;
	const unknown = eitherNodata(nodata, options.outside?.(tile));
	const foreground = tileForeground({
		probability,
		width,
		height,
		threshold: options.threshold,
		classes,
		nodata: unknown,
	});
	return {foreground, width, height, unknown};
}

/** How the mosaic's summary (mosaic-summary.ts) reads a run's tiles: from the stored probabilities. */
export function fromProbabilities(
	runDir: string,
	models: string[],
	options: Omit<RestatOptions, 'postprocessTile'>,
): Pick<MosaicSummaryInput, 'summarise' | 'foreground'> {
	return {
		summarise: (tile, postprocessTile) => restatTile(runDir, tile, models, {...options, postprocessTile}),
		foreground: (tile) => restatForeground(runDir, tile, options),
	};
}

/**
 * Statistics of every tile and overall for a new threshold and post-processing, without any model; the
 * post-processing and the components are the whole mosaic's (mosaic-summary.ts). Tiles are read one after
 * another, so memory stays at one tile's probabilities.
 */
export async function restat(
	runDir: string,
	plan: Plan,
	models: string[],
	options: RestatOptions,
): Promise<{tiles: TileStats[]; overall: RunStats}> {
	const withArea = {outside: (tile: Tile) => tileOutsideArea(plan, tile), ...options};
	const {tiles, mosaic} = await summariseMosaic({
		plan,
		tiles: plan.tiles,
		postprocess: options.postprocess,
		classes: options.classes ?? defaultClasses,
		...fromProbabilities(runDir, models, withArea),
	});
	return {
		tiles,
		overall: mergeStats(tiles, {
			plan,
			threshold: options.threshold,
			models,
			postprocess: options.postprocess,
			mosaic,
		}),
	};
}
