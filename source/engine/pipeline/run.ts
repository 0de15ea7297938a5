/**
 * The pipeline: plan → fetch → infer → (review) → write, with the stages overlapping. Tiles stream from
 * the fetcher into the ensemble through bounded queues, so memory depends on concurrency, not on the
 * extent. Everything is reported as RunEvents and folded into a snapshot that any view can read.
 */
import {setMaxListeners} from 'node:events';
import path from 'node:path';
import PQueue from 'p-queue';
import type {LoadedPreset} from '../../config/presets.js';
import type {LayerName} from '../../config/preset-schema.js';
import {fetchTiles, type FetchEvent, type FetchedTile} from '../fetch/fetch-tiles.js';
import {Manifest} from '../run-folder/manifest.js';
import {UserError} from '../../errors.js';
import {prepareRunFolder} from '../fs/storage-errors.js';
import {openEnsemble} from '../infer/ensemble.js';
import type {Ensemble, InferEvent} from '../infer/types.js';
import {ProbabilityCache} from './probability-cache.js';
import {restatTile} from './restat.js';
import type {TileStats} from '../masks/stats-types.js';
import {summariseTile} from '../masks/tile-stats.js';
import {probabilityRaster} from '../outputs/mask-raster.js';
import {memberProbabilityFile, probabilityFile} from '../run-folder/paths.js';
import {makePlan, type Plan} from '../geo/plan.js';
import {writeGeoTiffFile} from '../geo/geotiff.js';
import {connectServices} from '../../app/embedded-service.js';
import type {RunEvent} from './events.js';
import {keptProbabilities, modelChecksums, probabilityStage, type InferenceFingerprint} from '../run-folder/inference-fingerprint.js';
import {ReviewSession, nodataOf, writeTileMask, type Finaliser, type WrittenTiles} from './review.js';
import {applyEvent, emptySnapshot, type RunSnapshot} from './snapshot.js';
import {StatusFile} from '../run-folder/status-file.js';

export type RunOptions = {
	preset: LoadedPreset;
	/** Run folder; default the preset's output.dir, relative to the working directory. */
	outDir?: string;
	signal?: AbortSignal;
	/** Only these tiles (a shard); default the whole plan. */
	tileIds?: ReadonlySet<string>;
	/** Where manifest.json and status.json go (a shard's own folder, see engine/shard/layout.ts); default outDir. */
	stateDir?: string;
	/** Writes the run-wide outputs after the tiles (a shard records its share instead); default finaliseOutputs. */
	finalise?: Finaliser;
	/**
	 * Write each tile's mask and training chip as soon as it is inferred, at the starting threshold, so
	 * writing overlaps the other stages (headless runs with --yes). The review can still change the
	 * threshold; writing then redoes the tiles.
	 */
	writeAsYouGo?: boolean;
};

export type RunHandle = {
	plan: Plan;
	outDir: string;
	snapshot(): RunSnapshot;
	subscribe(listener: (event: RunEvent) => void): () => void;
	pause(): void;
	resume(): void;
	cancel(): void;
	/** Resolves when every tile is inferred; rejects when the run fails or is cancelled. */
	review: Promise<ReviewSession>;
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type EventBody = DistributiveOmit<RunEvent, 'at'>;

function toUint8(probability: Float32Array): Uint8Array {
	const bytes = new Uint8Array(probability.length);
	for (let i = 0; i < probability.length; i++) bytes[i] = Math.round(probability[i] * 255);
	return bytes;
}

export function startRun(options: RunOptions): RunHandle {
	const {preset, name} = {preset: options.preset.preset, name: options.preset.name};
	const plan = makePlan(preset);
	const tiles = options.tileIds ? plan.tiles.filter((tile) => options.tileIds!.has(tile.id)) : plan.tiles;
	const outDir = path.resolve(options.outDir ?? preset.output.dir);
	const controller = new AbortController();
	const onOuterAbort = () => controller.abort(options.signal?.reason);
	options.signal?.addEventListener('abort', onOuterAbort, {once: true});
	const signal = controller.signal;
	// Every queued download and inference task listens for the one abort.
	setMaxListeners(0, signal);

	const snapshot = emptySnapshot();
	const listeners = new Set<(event: RunEvent) => void>();
	const stateDir = path.resolve(options.stateDir ?? outDir);
	const status = new StatusFile(stateDir, () => snapshot);
	const emit = (body: EventBody) => {
		const event = {...body, at: Date.now()} as RunEvent;
		applyEvent(snapshot, event);
		status.markDirty();
		for (const listener of listeners) listener(event);
	};
	const log = (level: 'info' | 'warn' | 'error', message: string) => emit({type: 'log', level, message});

	// What inference just wrote, decoded, for the review's first threshold changes (bounded, least recently used out).
	const probabilities = new ProbabilityCache();
	// Enough tiles in flight for the workers to fill their batches.
	const inferQueue = new PQueue({concurrency: Math.max(4, (preset.inference.batchSize ?? 1) * 2)});

	const onFetchEvent = (event: FetchEvent) => {
		switch (event.type) {
			case 'tile-queued':
			case 'tile-retry':
				emit(event);
				return;
			case 'tile-progress':
				emit({type: 'tile-progress', layer: event.layer, tileId: event.tileId, bytes: event.bytes});
				return;
			case 'tile-done':
				emit({type: 'tile-fetched', layer: event.layer, tileId: event.tileId, bytes: event.bytes, skipped: event.skipped, ms: event.ms});
				return;
			case 'tile-failed':
				log('error', `${event.tileId} ${event.layer}: ${event.error}`);
				return;
			case 'log':
				log(event.level, event.message);
				return;
			case 'fetch-start':
				return;
		}
	};
	const onInferEvent = (event: InferEvent) => {
		if (event.type === 'model-ready' || event.type === 'model-tile') emit(event);
	};

	async function inferTile(fetched: FetchedTile, ensemble: Ensemble, manifest: Manifest, fingerprintBase: Omit<InferenceFingerprint, 'inputs'>, threshold: number): Promise<TileStats> {
		const {tile} = fetched;
		const modelNames = ensemble.models.map((model) => model.name);
		const size = {width: tile.width, height: tile.height};
		const fingerprint: InferenceFingerprint = {
			...fingerprintBase,
			inputs: Object.fromEntries(
				(['rgb', 'dsm'] as LayerName[]).filter((layer) => preset.layers[layer]).map((layer) => [layer, manifest.get(layer, tile.id)?.sha256 as string | undefined]),
			),
		};
		const nodata = nodataOf(fetched.dsm);
		const earlier = await keptProbabilities(outDir, manifest, tile.id, fingerprint);
		if (earlier.changed) log('warn', `tile ${tile.id}: ${earlier.changed.join(', ')} changed since the earlier run, inferring it again`);
		if (earlier.kept) {
			// A damaged probability file (edited, disk trouble) is inferred again rather than failing every resume.
			const summary = await restatTile(outDir, tile, modelNames, {threshold, postprocess: preset.postprocess, nodata: async () => nodata, cache: probabilities}).catch((error: unknown) => {
				log('warn', `tile ${tile.id}: its kept probabilities cannot be read (${error instanceof Error ? error.message : String(error)}), inferring it again`);
				return undefined;
			});
			if (summary) {
				emit({type: 'tile-inferred', tileId: tile.id, skipped: true});
				await writeEarly(fetched, summary.mask);
				return summary.stats;
			}
		}
		const started = Date.now();
		const prediction = await ensemble.predict({
			id: tile.id,
			rgb: {data: fetched.rgb.data as Uint8Array, width: fetched.rgb.width, height: fetched.rgb.height},
			dsm: fetched.dsm ? {data: fetched.dsm.data as Float32Array, width: fetched.dsm.width, height: fetched.dsm.height, nodata: fetched.dsm.nodata} : undefined,
			outWidth: size.width,
			outHeight: size.height,
		});
		const probability = toUint8(prediction.probability);
		const members = prediction.members.map(toUint8);
		const written = [
			{file: probabilityFile(outDir, tile.id), data: probability},
			...modelNames.map((model, k) => ({file: memberProbabilityFile(outDir, model, tile.id), data: members[k]})),
		];
		for (const {file, data} of written) {
			await writeGeoTiffFile(file, probabilityRaster(tile, plan.epsg, data, size));
			await probabilities.put(file, {data, ...size});
		}
		manifest.set(probabilityStage, tile.id, {state: 'done', file: path.relative(outDir, probabilityFile(outDir, tile.id)).split(path.sep).join('/'), fingerprint, ms: Date.now() - started});
		await manifest.save();
		const {mask, stats} = summariseTile({tile, probability, members, models: modelNames, nodata, ...size, threshold, postprocess: preset.postprocess});
		emit({type: 'tile-inferred', tileId: tile.id, skipped: false});
		await writeEarly(fetched, mask);
		return stats;
	}

	const writtenEarly: WrittenTiles = {files: [], chips: []};
	async function writeEarly(fetched: FetchedTile, mask: Uint8Array): Promise<void> {
		if (!options.writeAsYouGo) return;
		const result = await writeTileMask({plan, outDir, output: preset.output}, fetched.tile, mask, preset.output.training ? fetched.rgb : undefined);
		writtenEarly.files.push(...result.files);
		if (result.chip) writtenEarly.chips.push(result.chip);
		emit({type: 'tile-written', tileId: fetched.tile.id});
	}

	async function execute(): Promise<ReviewSession> {
		emit({type: 'run-start', runDir: outDir, preset: name, tiles: tiles.length, rows: plan.rows, cols: plan.cols, layers: preset.layers.dsm ? ['rgb', 'dsm'] : ['rgb'], models: []});
		try {
			// A run folder that cannot be written is refused before anything is downloaded.
			await prepareRunFolder(outDir);
			if (stateDir !== outDir) await prepareRunFolder(stateDir);
		} catch (error) {
			options.signal?.removeEventListener('abort', onOuterAbort);
			emit({type: 'run-end', state: 'failed', message: error instanceof Error ? error.message : String(error)});
			throw error;
		}
		status.start();
		const services = await connectServices(preset);
		let ensemble: Ensemble | undefined;
		try {
			const manifest = await Manifest.open(stateDir);
			emit({type: 'stage', stage: 'infer', state: 'start'});
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
			// Until the models are loaded the fetcher runs ahead only as far as its bounded lookahead allows.
			ensembleReady.catch(() => undefined);
			emit({type: 'stage', stage: 'fetch', state: 'start'});
			const stream = fetchTiles({
				plan,
				tiles,
				layers: preset.layers,
				outDir,
				concurrency: preset.concurrency,
				signal,
				onEvent: onFetchEvent,
				urlRewrite: services.urlRewrite,
				manifest,
			});
			ensemble = await ensembleReady;
			const loaded = ensemble;
			if (loaded.needsDsm && !preset.layers.dsm) {
				throw new UserError(`the models ${loaded.models.filter((m) => m.needsDsm).map((m) => m.name).join(', ')} need a DSM band but the preset has no layers.dsm; add a DSM layer or use RGB-only models`);
			}
			const threshold = preset.threshold ?? loaded.threshold;
			const fingerprintBase = {models: await modelChecksums(loaded.models), mode: preset.inference.mode, overlap: preset.inference.overlap, size: {width: plan.tileSize, height: plan.tileSize}};
			log('info', `threshold ${threshold}${preset.threshold === undefined ? " (the models' seg_thresh)" : ''}`);

			const stats: TileStats[] = [];
			const failures: unknown[] = [];
			for await (const fetched of stream) {
				inferQueue
					.add(() => inferTile(fetched, loaded, manifest, fingerprintBase, threshold), {signal})
					.then((tileStats) => void (tileStats && stats.push(tileStats)))
					.catch((error: unknown) => {
						failures.push(error);
						controller.abort(error);
					});
				// Backpressure: pull the next tile only when the inference queue has room.
				await inferQueue.onSizeLessThan(1);
			}
			emit({type: 'stage', stage: 'fetch', state: 'end'});
			await inferQueue.onIdle();
			if (failures.length > 0) throw failures[0];
			signal.throwIfAborted();
			emit({type: 'stage', stage: 'infer', state: 'end'});
			emit({type: 'stage', stage: 'review', state: 'start'});
			const byId = new Map(stats.map((tileStats) => [tileStats.id, tileStats]));
			const ordered = tiles.map((tile) => byId.get(tile.id)).filter((tileStats): tileStats is TileStats => tileStats !== undefined);
			return new ReviewSession({
				plan,
				tiles,
				outDir,
				models: loaded.models,
				threshold,
				postprocess: preset.postprocess,
				output: preset.output,
				tileStats: ordered,
				emit,
				finish: finishRun,
				cache: probabilities,
				signal,
				finalise: options.finalise,
				written: options.writeAsYouGo ? {threshold, ...writtenEarly} : undefined,
			});
		} catch (error) {
			const cancelled = signal.aborted && (error as Error)?.name === 'AbortError';
			// Tiles still being inferred or written stop, and are waited for: the run ends with no write in flight.
			if (!signal.aborted) controller.abort(error);
			inferQueue.start();
			await inferQueue.onIdle();
			await finishRun(error instanceof Error ? error.message : String(error), cancelled ? 'cancelled' : 'failed');
			throw error;
		} finally {
			await ensemble?.close();
			await services.close();
		}
	}

	async function finishRun(message: string, state: 'done' | 'cancelled' | 'failed' = 'done'): Promise<void> {
		options.signal?.removeEventListener('abort', onOuterAbort);
		emit({type: 'run-end', state, message});
		await status.stop();
	}

	// Started on the next tick, so callers can subscribe before the first event.
	const review = Promise.resolve().then(execute);
	review.catch(() => undefined);

	return {
		plan,
		outDir,
		snapshot: () => snapshot,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		pause() {
			inferQueue.pause();
			emit({type: 'paused', paused: true});
		},
		resume() {
			inferQueue.start();
			emit({type: 'paused', paused: false});
		},
		cancel() {
			inferQueue.start();
			controller.abort(Object.assign(new Error('the run was cancelled'), {name: 'AbortError'}));
		},
		review,
	};
}
