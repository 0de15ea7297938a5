/**
 * After inference: statistics at any threshold from the stored probabilities (no model runs again), tile
 * previews, and writing the outputs — or discarding them.
 */
import path from 'node:path';
import type {Preset} from '../../config/preset-schema.js';
import {tileFile} from '../run-folder/tile-store.js';
import type {ModelInfo} from '../infer/types.js';
import {ProbabilityCache} from './probability-cache.js';
import {restatTile} from './restat.js';
import {mergeStats} from '../masks/run-stats.js';
import type {StatsDocument, TileStats} from '../masks/stats-types.js';
import {finaliseOutputs, type FinaliseInput, type FinaliseResult} from '../outputs/finalise.js';
import {resizeNearest} from '../geo/resize-nearest.js';
import {writeTileOutputs, type TileOutputResult} from '../outputs/tile-outputs.js';
import type {ChipSummary} from '../outputs/training/training-chips.js';
import type {Plan, Tile} from '../geo/plan.js';
import type {GeoRaster} from '../geo/georaster.js';
import {readGeoTiffFile} from '../geo/geotiff.js';
import {nodataMask} from '../infer/preprocess.js';
import type {RunEvent} from './events.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** 1 where the DSM has no data (as the ensemble sees it: its probabilities are 0 there); undefined when it has data everywhere. */
export function nodataOf(dsm: GeoRaster | undefined): Uint8Array | undefined {
	return dsm ? nodataMask({data: dsm.data as Float32Array, width: dsm.width, height: dsm.height, nodata: dsm.nodata}) : undefined;
}

export type ReviewContext = {
	plan: Plan;
	tiles: Tile[];
	outDir: string;
	models: ModelInfo[];
	threshold: number;
	postprocess: Preset['postprocess'];
	output: Preset['output'];
	tileStats: TileStats[];
	emit: (event: DistributiveOmit<RunEvent, 'at'>) => void;
	/** Ends the run: its last event and status. */
	finish: (message: string, state?: 'done' | 'cancelled' | 'failed') => Promise<void>;
	/** The run's abort signal: writing stops between tiles once it fires (the files written are whole, a rerun resumes). */
	signal?: AbortSignal;
	/** Writes the run-wide outputs; default finaliseOutputs (a shard records its share instead). */
	finalise?: Finaliser;
	/** Decoded probabilities already at hand (those inference just wrote). */
	cache?: ProbabilityCache;
	/** Tiles the run already wrote as they were inferred, and at which threshold. */
	written?: WrittenTiles & {threshold: number};
};

export type WrittenTiles = {files: string[]; chips: ChipSummary[]};

/** One tile's mask GeoTIFF, and its training chip when the RGB is given. */
export function writeTileMask(context: Pick<ReviewContext, 'plan' | 'outDir' | 'output'>, tile: Tile, mask: Uint8Array, rgb: GeoRaster | undefined): Promise<TileOutputResult> {
	const {plan, outDir, output} = context;
	return writeTileOutputs({runDir: outDir, tile, epsg: plan.epsg, cols: plan.cols, mask, size: {width: tile.width, height: tile.height}, maskSize: output.maskSize, rgb});
}

export type Finaliser = (input: FinaliseInput) => Promise<FinaliseResult>;

export type WriteSummary = {outDir: string; files: string[]; tiles: number; features?: number};

export class ReviewSession {
	private document: StatsDocument;
	private currentThreshold: number;
	private readonly modelNames: string[];
	/** Tiles whose DSM has nodata pixels (read again when needed, so memory stays flat). */
	private readonly tilesWithNodata: Set<string>;
	/** Decoded probabilities, so moving the threshold back and forth does not decode the files again. */
	private readonly cache: ProbabilityCache;
	private restats: Promise<unknown> = Promise.resolve();

	constructor(private readonly context: ReviewContext) {
		this.cache = context.cache ?? new ProbabilityCache();
		this.currentThreshold = context.threshold;
		this.modelNames = context.models.map((model) => model.name);
		this.tilesWithNodata = new Set(context.tileStats.filter((tile) => tile.nodataPixels > 0).map((tile) => tile.id));
		this.document = this.merge(context.tileStats);
	}

	get threshold(): number {
		return this.currentThreshold;
	}

	get plan(): Plan {
		return this.context.plan;
	}

	stats(): StatsDocument {
		return this.document;
	}

	private merge(tiles: TileStats[], threshold = this.currentThreshold): StatsDocument {
		const {plan, postprocess} = this.context;
		return {overall: mergeStats(tiles, {plan, threshold, models: this.modelNames, postprocess}), tiles};
	}

	private async nodata(tile: Tile): Promise<Uint8Array | undefined> {
		if (!this.tilesWithNodata.has(tile.id)) return undefined;
		return nodataOf(await readGeoTiffFile(path.join(this.context.outDir, tileFile('dsm', tile.id))));
	}

	private summarise(tile: Tile, threshold = this.currentThreshold) {
		return restatTile(this.context.outDir, tile, this.modelNames, {
			threshold,
			postprocess: this.context.postprocess,
			nodata: (t) => this.nodata(t),
			cache: this.cache,
		});
	}

	/**
	 * Recompute every statistic for a new threshold from the stored probabilities. Calls are served one
	 * after another, so the threshold in force is always the one of the last call.
	 */
	setThreshold(threshold: number): Promise<StatsDocument> {
		if (!(threshold > 0 && threshold < 1)) return Promise.reject(new RangeError(`threshold ${threshold} is outside (0, 1)`));
		const next = this.restats.then(async () => {
			const tiles: TileStats[] = [];
			for (const tile of this.context.tiles) tiles.push((await this.summarise(tile, threshold)).stats);
			this.currentThreshold = threshold;
			this.document = this.merge(tiles, threshold);
			return this.document;
		});
		this.restats = next.catch(() => undefined);
		return next;
	}

	/** The tile's RGB and final mask, resampled (nearest) to width × height for a terminal preview. */
	async preview(tileId: string, width: number, height: number): Promise<{rgb: Uint8Array; mask: Uint8Array}> {
		const tile = this.context.tiles.find((entry) => entry.id === tileId);
		if (!tile) throw new RangeError(`no tile ${tileId} in this run`);
		const [rgb, {mask}] = await Promise.all([readGeoTiffFile(path.join(this.context.outDir, tileFile('rgb', tile.id))), this.summarise(tile)]);
		const size = {width, height};
		return {rgb: resizeNearest(rgb.data as Uint8Array, {width: rgb.width, height: rgb.height}, size, 3), mask: resizeNearest(mask, {width: tile.width, height: tile.height}, size)};
	}

	/** Masks, training chips, VRT, GeoJSON, training metadata and stats.json, at the current threshold. */
	async write(): Promise<WriteSummary> {
		try {
			return await this.writeAll();
		} catch (error) {
			const cancelled = (error as Error)?.name === 'AbortError';
			await this.context.finish(error instanceof Error ? error.message : String(error), cancelled ? 'cancelled' : 'failed');
			throw error;
		}
	}

	private async writeAll(): Promise<WriteSummary> {
		const {plan, outDir, output, emit, written, signal} = this.context;
		signal?.throwIfAborted();
		emit({type: 'stage', stage: 'write', state: 'start'});
		const files: string[] = [];
		const chips: ChipSummary[] = [];
		if (written && written.threshold === this.currentThreshold) {
			files.push(...written.files);
			chips.push(...written.chips);
			for (const tile of this.context.tiles) emit({type: 'tile-written', tileId: tile.id});
		} else {
			const tiles: TileStats[] = [];
			for (const tile of this.context.tiles) {
				signal?.throwIfAborted();
				const {mask, stats} = await this.summarise(tile);
				tiles.push(stats);
				const rgb = output.training ? await readGeoTiffFile(path.join(outDir, tileFile('rgb', tile.id))) : undefined;
				const result = await writeTileMask(this.context, tile, mask, rgb);
				files.push(...result.files);
				if (result.chip) chips.push(result.chip);
				emit({type: 'tile-written', tileId: tile.id});
			}
			this.document = this.merge(tiles);
		}
		signal?.throwIfAborted();
		const finalised = await (this.context.finalise ?? finaliseOutputs)({
			runDir: outDir,
			plan,
			maskSize: output.maskSize,
			classNames: this.context.models[0]?.classNames ?? {'0': 'background', '1': 'foreground'},
			geojson: output.geojson,
			chips: output.training ? chips : undefined,
			stats: this.document,
		});
		files.push(...finalised.files);
		emit({type: 'stage', stage: 'write', state: 'end'});
		await this.context.finish(`wrote ${this.context.tiles.length} tiles to ${outDir}`);
		return {outDir, files, tiles: this.context.tiles.length, features: finalised.features};
	}

	/** Leave the run folder as it is (tiles and probabilities stay, so a later run resumes); write no masks. */
	async discard(): Promise<void> {
		await this.context.finish('discarded: no masks written (tiles and probabilities kept for a later run)');
	}
}
