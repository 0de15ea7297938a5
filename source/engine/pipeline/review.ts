/**
 * After inference: statistics at any threshold from the stored probabilities (no model runs again), tile
 * previews, and writing the outputs — or discarding them.
 */
import path from 'node:path';
import type {Preset} from '../../config/preset-schema.js';
import {tileFile} from '../run-folder/paths.js';
import type {ClassConfig} from '../classes/class-config.js';
import {thresholdClasses, type Threshold} from '../classes/threshold.js';
import type {ModelInfo} from '../infer/types.js';
import {ProbabilityCache} from './probability-cache.js';
import {fromProbabilities, restatTile} from './restat.js';
import {mergeStats} from '../masks/run-stats.js';
import type {TilePostprocess} from '../masks/postprocess.js';
import type {TileSummary} from '../masks/tile-stats.js';
import {summariseMosaic} from './mosaic-summary.js';
import type {StatsDocument} from '../masks/stats-types.js';
import type {Finaliser} from '../outputs/run-outputs.js';
import {resizeNearest} from '../geo/resize-nearest.js';
import {outsideAreaValue, tileOutsideArea} from '../geo/area-clip.js';
import type {Plan, Tile} from '../geo/plan.js';
import {areaUnit} from '../geo/crs.js';
import {readGeoTiffFile} from '../geo/geotiff.js';
import type {GeoRaster} from '../geo/georaster.js';
import {messageOf} from '../../errors.js';
import {readTileNodata} from './tile-nodata.js';
import type {RunLifecycle} from './lifecycle.js';
import type {MaskWriter} from './mask-writer.js';

export type ReviewContext = {
	plan: Plan;
	tiles: Tile[];
	runDir: string;
	/** Whether the run has a DSM layer, whose nodata is part of the run's. */
	hasDsm: boolean;
	models: ModelInfo[];
	/** The models' classes: how many probability planes the files hold and how masks are decided. */
	classes: ClassConfig;
	/** One for every class, or per class name (the names of `classes`' threshold classes). */
	threshold: Threshold;
	/** How the models saw the tiles (resize: each tile alone, with seams; sliding: windows). */
	mode: Preset['inference']['mode'];
	postprocess: Preset['postprocess'];
	/** Tiles with nodata pixels in their RGB or DSM (read again when needed, so memory stays flat). */
	tilesWithNodata: ReadonlySet<string>;
	/** The run's events and its end; writing stops between tiles once its signal fires (the files written are whole, a rerun resumes). */
	lifecycle: RunLifecycle;
	/** Writes the tiles' masks; knows which it already wrote, at which threshold. */
	writer: MaskWriter;
	/** Writes the run-wide outputs; default the formats' own run-wide step (a shard records its share instead). */
	finalise?: Finaliser;
	/** Decoded probabilities already at hand (those inference just wrote). */
	cache?: ProbabilityCache;
};

export type WriteSummary = {runDir: string; files: string[]; tiles: number; features?: number};

/** The whole mosaic summarised at one threshold. */
type MosaicState = {
	threshold: Threshold;
	document: StatsDocument;
	/** A tile's post-processing as part of the whole mosaic, at this threshold. */
	postprocessTile: (tile: Tile) => TilePostprocess | undefined;
	/** The final mask of the tile previewed last, kept from the pass (so a new threshold's preview needs no restat). */
	previewed?: {tileId: string; mask: Uint8Array};
};

/** The tile previewed last and its decoded RGB (one tile, so memory stays flat). */
type PreviewSource = {tileId: string; rgb: GeoRaster};

export class ReviewSession {
	private state: MosaicState;
	/** Decoded probabilities, so moving the threshold back and forth does not decode the files again. */
	private readonly cache: ProbabilityCache;
	private restats: Promise<unknown> = Promise.resolve();
	private previewSource?: PreviewSource;

	/** The review of a run whose every tile is inferred, opening with the whole mosaic at the run's threshold. */
	static async open(context: ReviewContext): Promise<ReviewSession> {
		const cache = context.cache ?? new ProbabilityCache();
		return new ReviewSession(context, cache, await summariseRun(context, cache, context.threshold));
	}

	private constructor(
		private readonly context: ReviewContext,
		cache: ProbabilityCache,
		state: MosaicState,
	) {
		this.cache = cache;
		this.state = state;
	}

	get threshold(): Threshold {
		return this.state.threshold;
	}

	get plan(): Plan {
		return this.context.plan;
	}

	/** The classes a threshold per class names (a multi-class run's every class but uncertain). */
	get thresholdClasses(): string[] {
		return thresholdClasses(this.context.classes);
	}

	get mode(): Preset['inference']['mode'] {
		return this.context.mode;
	}

	/** The unit of the statistics' areas, from the plan CRS: "m²", "US ft²", "deg²". */
	get areaUnit(): string {
		return areaUnit(this.context.plan.crs);
	}

	stats(): StatsDocument {
		return this.state.document;
	}

	/**
	 * Recompute every statistic for a new threshold (one, or per class name as the run's was given) from the
	 * stored probabilities. Calls are served one after another, so the threshold in force is always the one of
	 * the last call.
	 */
	setThreshold(threshold: Threshold): Promise<StatsDocument> {
		const outside = Object.entries(typeof threshold === 'number' ? {'': threshold} : threshold).find(
			([, value]) => !(value > 0 && value < 1),
		);
		if (outside) return Promise.reject(new RangeError(`threshold ${outside[0]} ${outside[1]} is outside (0, 1)`));
		const next = this.restats.then(async () => {
			this.state = await summariseRun(this.context, this.cache, threshold, {keep: this.previewSource?.tileId});
			return this.state.document;
		});
		this.restats = next.catch(() => undefined);
		return next;
	}

	/** The tile's RGB and final mask, resampled (nearest) to width × height for a terminal preview. */
	async preview(tileId: string, width: number, height: number): Promise<{rgb: Uint8Array; mask: Uint8Array}> {
		const tile = this.context.tiles.find((entry) => entry.id === tileId);
		if (!tile) throw new RangeError(`no tile ${tileId} in this run`);
		const {threshold, postprocessTile, previewed} = this.state;
		const [rgb, mask] = await Promise.all([
			this.previewSource?.tileId === tile.id
				? this.previewSource.rgb
				: readGeoTiffFile(path.join(this.context.runDir, tileFile('rgb', tile.id))),
			previewed?.tileId === tile.id
				? previewed.mask
				: restatTile(this.context.runDir, tile, modelNames(this.context), {
						...restatOptions(this.context, this.cache, threshold),
						postprocessTile: postprocessTile(tile),
					}).then((summary) => summary.mask),
		]);
		this.previewSource = {tileId: tile.id, rgb};
		const size = {width, height};
		return {
			rgb: resizeNearest(rgb.data as Uint8Array, {width: rgb.width, height: rgb.height}, size, 3),
			// Outside the area is no mask in a preview.
			mask: resizeNearest(
				mask.map((value) => (value === outsideAreaValue ? this.context.classes.background : value)),
				{width: tile.width, height: tile.height},
				size,
			),
		};
	}

	/** The output formats' files, per tile and run-wide, at the current threshold. */
	async write(): Promise<WriteSummary> {
		try {
			return await this.writeAll();
		} catch (error) {
			await this.context.lifecycle.fail(error, messageOf(error));
			throw error;
		}
	}

	private async writeAll(): Promise<WriteSummary> {
		const {runDir, lifecycle, writer, tiles, finalise = (outputs, stats) => outputs.finalise(stats)} = this.context;
		const {signal} = lifecycle;
		signal.throwIfAborted();
		lifecycle.emit({type: 'stage', stage: 'write', state: 'start'});
		const {threshold} = this.state;
		if (!writer.covers(tiles, threshold)) {
			// Post-processing sees the whole mosaic, so masks are written only in this final pass.
			writer.restart(threshold);
			this.state = await summariseRun(this.context, this.cache, threshold, {
				each: async (tile, {mask}) => {
					const rgb = writer.needsRgb ? await readGeoTiffFile(path.join(runDir, tileFile('rgb', tile.id))) : undefined;
					await writer.write(tile, mask, rgb, threshold);
				},
			});
		}
		signal.throwIfAborted();
		const finalised = await finalise(writer.outputs, this.state.document);
		lifecycle.emit({type: 'stage', stage: 'write', state: 'end'});
		await lifecycle.end('done', `wrote ${tiles.length} tiles to ${runDir}`);
		return {runDir, files: [...writer.files, ...finalised.files], tiles: tiles.length, features: finalised.features};
	}

	/** Leave the run folder as it is (tiles and probabilities stay, so a later run resumes); write no masks. */
	async discard(): Promise<void> {
		await this.context.lifecycle.end(
			'done',
			'discarded: no masks written (tiles and probabilities kept for a later run)',
		);
	}
}

function modelNames(context: ReviewContext): string[] {
	return context.models.map((model) => model.name);
}

/** The tile's nodata mask when it has nodata pixels. */
async function tileNodata(context: ReviewContext, tile: Tile): Promise<Uint8Array | undefined> {
	if (!context.tilesWithNodata.has(tile.id)) return undefined;
	return readTileNodata(context.runDir, tile.id, context.hasDsm);
}

function restatOptions(context: ReviewContext, cache: ProbabilityCache, threshold: Threshold) {
	return {
		classes: context.classes,
		threshold,
		postprocess: context.postprocess,
		nodata: (tile: Tile) => tileNodata(context, tile),
		outside: (tile: Tile) => tileOutsideArea(context.plan, tile),
		cache,
	};
}

/**
 * Every tile's final mask and statistics as one mosaic (mosaic-summary.ts); `each` takes them in plan order
 * (writing stops between tiles once the run's signal fires); the mask of tile `keep` is kept for its preview.
 */
async function summariseRun(
	context: ReviewContext,
	cache: ProbabilityCache,
	threshold: Threshold,
	{each, keep}: {each?: (tile: Tile, summary: TileSummary) => Promise<void>; keep?: string} = {},
): Promise<MosaicState> {
	const {plan, tiles, postprocess, classes, lifecycle, runDir} = context;
	const models = modelNames(context);
	const sources = fromProbabilities(runDir, models, restatOptions(context, cache, threshold));
	let previewed: MosaicState['previewed'];
	const summary = await summariseMosaic({
		plan,
		tiles,
		postprocess,
		classes,
		signal: each ? lifecycle.signal : undefined,
		...sources,
		each: async (tile, tileSummary) => {
			if (tile.id === keep) previewed = {tileId: tile.id, mask: tileSummary.mask};
			await each?.(tile, tileSummary);
		},
	});
	const overall = mergeStats(summary.tiles, {plan, threshold, models, postprocess, mosaic: summary.mosaic});
	return {
		threshold,
		document: {overall, tiles: summary.tiles},
		postprocessTile: summary.postprocessTile,
		previewed,
	};
}
