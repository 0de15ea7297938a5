/**
 * The pipeline: plan → fetch → infer → (review) → write, with the stages overlapping. Tiles stream from
 * the fetcher into the ensemble through bounded queues, so memory depends on concurrency, not on the
 * extent. Everything is reported as RunEvents and folded into a snapshot that any view can read; the
 * run's lifecycle (lifecycle.ts) owns how it ends, and the review session it hands on ends it.
 */
import path from 'node:path';
import PQueue from 'p-queue';
import type {LoadedPreset} from '../../config/presets.js';
import {messageOf, UserError} from '../../errors.js';
import {fetchTilesNow, type FetchEvent} from '../fetch/fetch-tiles.js';
import {resolveThreshold, runClasses, thresholdText} from '../classes/threshold.js';
import {makePlan, type Plan} from '../geo/plan.js';
import {openEnsemble} from '../infer/ensemble.js';
import type {Ensemble, InferEvent} from '../infer/types.js';
import {openOutputs, type Finaliser} from '../outputs/run-outputs.js';
import {modelChecksums} from '../run-folder/inference-fingerprint.js';
import {RunFolder} from '../run-folder/run-folder.js';
import type {RunEvent} from './events.js';
import {contextNeighbours, contextTiles} from './context-tiles.js';
import {inferTile, type TileToInfer} from './infer-stage.js';
import {RunLifecycle} from './lifecycle.js';
import {MaskWriter} from './mask-writer.js';
import {ProbabilityCache} from './probability-cache.js';
import {ReviewSession} from './review.js';
import type {RunSnapshot} from './snapshot.js';

/** What the preset's layers talk to, started for this run (the embedded demo service), and how to reach it. */
export type ServiceConnection = {urlRewrite?: (url: string) => string; close: () => Promise<void>};

export type RunOptions = {
	preset: LoadedPreset;
	/** Run folder; default the preset's output.dir, relative to the working directory. */
	runDir?: string;
	signal?: AbortSignal;
	/** Only these tiles (a shard); default the whole plan. */
	tileIds?: ReadonlySet<string>;
	/** Where manifest.json and status.json go (a shard's own folder, see run-folder/shard-layout.ts); default runDir. */
	stateDir?: string;
	/** Writes the run-wide outputs after the tiles (a shard records its share instead); default the formats' own run-wide step. */
	finalise?: Finaliser;
	/**
	 * Write each tile's mask and training chip as soon as it is inferred, at the starting threshold, so
	 * writing overlaps the other stages (headless runs with --yes). The review can still change the
	 * threshold; writing then redoes the tiles. Not with post-processing, which needs the whole mosaic
	 * first: the masks are written in the final pass then.
	 */
	writeAsYouGo?: boolean;
	/** Starts the services the preset's layers need, once the run folder is ready; default none. */
	connect?: () => Promise<ServiceConnection>;
};

export type RunHandle = {
	plan: Plan;
	runDir: string;
	snapshot(): RunSnapshot;
	subscribe(listener: (event: RunEvent) => void): () => void;
	pause(): void;
	resume(): void;
	cancel(): void;
	/** Resolves when every tile is inferred; rejects when the run fails or is cancelled. */
	review: Promise<ReviewSession>;
};

const noServices: ServiceConnection = {close: async () => undefined};

export function startRun(options: RunOptions): RunHandle {
	const {preset, name, area} = options.preset;
	const plan = makePlan(preset, area);
	const sliding = preset.inference.mode === 'sliding';
	const tiles = options.tileIds ? plan.tiles.filter((tile) => options.tileIds!.has(tile.id)) : plan.tiles;
	const runDir = path.resolve(options.runDir ?? preset.output.dir);
	const stateDir = path.resolve(options.stateDir ?? runDir);
	const lifecycle = new RunLifecycle(stateDir, options.signal);
	const {signal} = lifecycle;
	// What inference just wrote, decoded, for the review's first threshold changes (bounded, least recently used out).
	const probabilities = new ProbabilityCache();
	// Enough tiles in flight for the workers to fill their batches.
	const inferQueue = new PQueue({concurrency: Math.max(4, (preset.inference.batchSize ?? 1) * 2)});

	const onFetchEvent = (event: FetchEvent) => {
		switch (event.type) {
			case 'tile-queued':
			case 'tile-retry':
				lifecycle.emit(event);
				return;
			case 'tile-progress':
				lifecycle.emit({type: 'tile-progress', layer: event.layer, tileId: event.tileId, bytes: event.bytes});
				return;
			case 'tile-done':
				lifecycle.emit({
					type: 'tile-fetched',
					layer: event.layer,
					tileId: event.tileId,
					bytes: event.bytes,
					skipped: event.skipped,
					ms: event.ms,
				});
				return;
			case 'tile-failed':
				lifecycle.log('error', `${event.tileId} ${event.layer}: ${event.error}`);
				return;
			case 'log':
				lifecycle.log(event.level, event.message);
				return;
			case 'context-tile':
				lifecycle.emit(event);
				return;
			case 'fetch-start':
				return;
		}
	};
	const onInferEvent = (event: InferEvent) => {
		if (event.type === 'model-ready' || event.type === 'model-tile') lifecycle.emit(event);
	};

	async function execute(): Promise<ReviewSession> {
		lifecycle.emit({
			type: 'run-start',
			runDir,
			preset: name,
			tiles: tiles.length,
			rows: plan.rows,
			cols: plan.cols,
			...(plan.area && {skipped: plan.area.skipped}),
			layers: preset.layers.dsm ? ['rgb', 'dsm'] : ['rgb'],
			models: [],
		});
		let folder: RunFolder;
		try {
			// A run folder that cannot be written is refused before anything is downloaded.
			folder = await RunFolder.open(runDir, stateDir);
		} catch (error) {
			await lifecycle.end('failed', messageOf(error));
			throw error;
		}
		lifecycle.holdUntilEnd(() => folder.release());
		lifecycle.startStatus();
		const services = await (options.connect ?? (async () => noServices))();
		let ensemble: Ensemble | undefined;
		let downloads: ReturnType<typeof fetchTilesNow> | undefined;
		try {
			lifecycle.emit({type: 'stage', stage: 'infer', state: 'start'});
			const ensembleReady = openEnsemble({
				models: preset.models,
				provider: preset.inference.provider,
				mode: preset.inference.mode,
				overlap: preset.inference.overlap,
				batchSize: preset.inference.batchSize,
				threadsPerModel: preset.inference.threadsPerModel,
				signal,
				onEvent: onInferEvent,
			});
			ensembleReady.catch(() => undefined);
			// A shard's tiles reach into other shards' tiles in sliding mode: those come as context only, and which
			// ones depends on the models' windows, so the shard's fetch waits for the models.
			const contextOnly =
				sliding && tiles.length < plan.tiles.length
					? contextNeighbours(plan, tiles, (await ensembleReady).grids)
					: undefined;
			lifecycle.emit({type: 'stage', stage: 'fetch', state: 'start'});
			// The downloads start now, while the models load.
			downloads = fetchTilesNow({
				plan,
				tiles,
				contextOnly,
				layers: preset.layers,
				runDir,
				concurrency: preset.concurrency,
				signal,
				onEvent: onFetchEvent,
				urlRewrite: services.urlRewrite,
				folder,
			});
			ensemble = await ensembleReady;
			const loaded = ensemble;
			// Sliding windows on the area's grid reach into the neighbours: each tile waits for them.
			const stream: AsyncIterable<TileToInfer> = sliding
				? contextTiles(downloads.tiles, {plan, tiles, grids: loaded.grids})
				: downloads.tiles;
			if (loaded.needsDsm && !preset.layers.dsm) {
				throw new UserError(
					`the models ${loaded.models
						.filter((m) => m.needsDsm)
						.map((m) => m.name)
						.join(', ')} need a DSM band but the preset has no layers.dsm; add a DSM layer or use RGB-only models`,
				);
			}
			const classes = runClasses(loaded.classes, preset.classes?.belowThreshold);
			const threshold = resolveThreshold(preset.threshold, loaded.threshold, classes);
			const fingerprintBase = {
				models: await modelChecksums(loaded.models),
				mode: preset.inference.mode,
				overlap: preset.inference.overlap,
				...(sliding && {windows: 'area-grid' as const}),
				size: {width: plan.tileSize, height: plan.tileSize},
			};
			lifecycle.log(
				'info',
				`threshold ${typeof threshold === 'number' ? threshold : thresholdText(threshold)}${preset.threshold === undefined ? " (the models' seg_thresh)" : ''}`,
			);
			const {minArea, fillHoles} = preset.postprocess;
			const writeAsYouGo = options.writeAsYouGo === true && minArea <= 0 && fillHoles <= 0;
			const stageContext = {
				plan,
				preset,
				folder,
				ensemble: loaded,
				classes,
				threshold,
				masks: writeAsYouGo,
				fingerprintBase,
				cache: probabilities,
				lifecycle,
			};
			const outputs = openOutputs({
				runDir,
				plan,
				classes,
				maskSize: preset.output.maskSize,
				formats: preset.output.formats,
				asYouGo: writeAsYouGo && !options.tileIds && !options.finalise,
			});
			const writer = new MaskWriter({outputs, lifecycle});

			const tilesWithNodata = new Set<string>();
			const failures: unknown[] = [];
			for await (const fetched of stream) {
				inferQueue
					.add(
						async () => {
							const {mask, hasNodata} = await inferTile(fetched, stageContext);
							if (mask) await writer.write(fetched.tile, mask, fetched.rgb, threshold);
							if (hasNodata) tilesWithNodata.add(fetched.tile.id);
						},
						{signal},
					)
					.catch((error: unknown) => {
						failures.push(error);
						lifecycle.abort(error);
					});
				// Backpressure: pull the next tile only when the inference queue has room.
				await inferQueue.onSizeLessThan(1);
			}
			lifecycle.emit({type: 'stage', stage: 'fetch', state: 'end'});
			await inferQueue.onIdle();
			if (failures.length > 0) throw failures[0];
			signal.throwIfAborted();
			await folder.manifest.save();
			lifecycle.emit({type: 'stage', stage: 'infer', state: 'end'});
			// The models' workers end while the review opens (awaited below, with the services).
			void loaded.close();
			lifecycle.emit({type: 'stage', stage: 'review', state: 'start'});
			// The review opens with the whole mosaic's statistics: components and post-processing across tiles.
			return await ReviewSession.open({
				plan,
				tiles,
				runDir,
				hasDsm: preset.layers.dsm !== undefined,
				models: loaded.models,
				classes,
				threshold,
				mode: preset.inference.mode,
				postprocess: preset.postprocess,
				tilesWithNodata,
				lifecycle,
				writer,
				cache: probabilities,
				finalise: options.finalise,
			});
		} catch (caught) {
			// Tiles still being inferred or written stop, and are waited for: the run ends with no write in flight.
			if (!signal.aborted) lifecycle.abort(caught);
			const error = lifecycle.causeOf(caught);
			await downloads?.close();
			inferQueue.start();
			await inferQueue.onIdle();
			// What was done before the failure, for the resume (a failure to save it is the failure's to report).
			await folder?.manifest.save().catch(() => undefined);
			await lifecycle.fail(error, messageOf(error));
			throw error;
		} finally {
			await ensemble?.close();
			await services.close();
		}
	}

	// Started on the next tick, so callers can subscribe before the first event.
	const review = Promise.resolve().then(execute);
	review.catch(() => undefined);

	return {
		plan,
		runDir,
		snapshot: () => lifecycle.snapshot,
		subscribe: (listener) => lifecycle.subscribe(listener),
		pause() {
			inferQueue.pause();
			lifecycle.emit({type: 'paused', paused: true});
		},
		resume() {
			inferQueue.start();
			lifecycle.emit({type: 'paused', paused: false});
		},
		cancel() {
			inferQueue.start();
			lifecycle.cancel();
		},
		review,
	};
}
