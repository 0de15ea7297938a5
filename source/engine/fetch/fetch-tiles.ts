/**
 * The download stage: every tile of the plan (or a subset) from the rgb and dsm layers, concurrently,
 * written to the run folder and handed on as a stream with bounded lookahead. Re-running into the
 * same folder keeps tiles whose file, checksum and fingerprint are still valid.
 */
import {setMaxListeners} from 'node:events';
import {performance} from 'node:perf_hooks';
import {abortError, isAbortError, messageOf, RunError, UserError} from '../../errors.js';
import type {LayerConfig, LayerName} from '../../config/preset-schema.js';
import type {Plan, Tile} from '../geo/plan.js';
import type {GeoRaster} from '../geo/georaster.js';
import {openSource} from '../sources/registry.js';
import {redact} from '../sources/redact.js';
import type {FetchEvent} from './events.js';
import {tileFingerprint} from '../run-folder/tile-fingerprint.js';
import {createHttpClient} from '../sources/http-transport.js';
import {RunFolder} from '../run-folder/run-folder.js';
import {keptTile, storedTile, storeTile} from '../run-folder/tile-store.js';

export type {FetchEvent} from './events.js';

export type FetchOptions = {
	plan: Plan;
	layers: {rgb: LayerConfig; dsm?: LayerConfig};
	runDir: string;
	concurrency: {downloads: number; perHost: number};
	signal?: AbortSignal;
	onEvent?: (event: FetchEvent) => void;
	/** A subset of plan.tiles (shards); default all. */
	tiles?: Tile[];
	/**
	 * Plan tiles outside `tiles` that later stages need as context (a shard's neighbours in other shards, sliding
	 * mode): read from the run folder's tiles/ where a shard has stored them, else fetched; never stored, recorded
	 * in the manifest or counted as this fetch's tiles.
	 */
	contextOnly?: Tile[];
	/** Tiles completed but not yet consumed before new downloads pause; default 2 × downloads. */
	maxAhead?: number;
	/** Applied to every service URL before it is requested (the embedded demo service's port). */
	urlRewrite?: (url: string) => string;
	/** The run folder when the caller shares it with later stages; default: opened from runDir once the sources are. */
	folder?: RunFolder;
	/** Timeouts and retries; the defaults suit real services. */
	http?: {
		timeoutMs?: number;
		idleTimeoutMs?: number;
		retries?: number;
		retryBaseDelayMs?: number;
		retryMaxDelayMs?: number;
	};
	/** Where token environment variables are read; default process.env. */
	env?: NodeJS.ProcessEnv;
};

export type FetchedTile = {
	tile: Tile;
	rgb: GeoRaster;
	dsm?: GeoRaster;
	/** Every layer came from a valid earlier download. */
	skipped: boolean;
	/** Fetched only as context for other tiles (see FetchOptions.contextOnly). */
	contextOnly?: boolean;
};

export type FetchSummary = {tiles: number; downloaded: number; skipped: number; bytesWritten: number; ms: number};

/** Bytes between two tile-progress events of one tile and layer. */
const progressStep = 64 * 1024;

type LayerResult = {raster: GeoRaster; skipped: boolean};

/**
 * Yields tiles in completion order once all their layers are there. Memory is bounded by
 * downloads + maxAhead tiles. Throws UserError (bad URL, token) before writing anything, RunError naming
 * the tile and layer when one fails for good (after the writes in flight finish), AbortError on abort.
 */
export async function* fetchTiles(options: FetchOptions): AsyncGenerator<FetchedTile> {
	const {plan, runDir, concurrency} = options;
	const emit = (event: FetchEvent) => options.onEvent?.(event);
	const log = (level: 'info' | 'warn' | 'error', message: string) => emit({type: 'log', level, message});
	const controller = new AbortController();
	const {signal} = controller;
	// Every queued request listens for the one abort.
	setMaxListeners(0, signal);
	const forwardAbort = () => controller.abort(options.signal?.reason);
	if (options.signal?.aborted) throw abortError(options.signal);
	options.signal?.addEventListener('abort', forwardAbort, {once: true});
	const http = createHttpClient({
		...concurrency,
		timeoutMs: options.http?.timeoutMs,
		idleTimeoutMs: options.http?.idleTimeoutMs,
	});
	let ownFolder: RunFolder | undefined;

	try {
		const roles: LayerName[] = options.layers.dsm ? ['rgb', 'dsm'] : ['rgb'];
		const context = {
			epsg: plan.epsg,
			cellSize: plan.cellSize,
			planExtent: plan.adjusted,
			transport: http.transport,
			retry: {
				...(options.http?.retries !== undefined && {retries: options.http.retries}),
				...(options.http?.retryBaseDelayMs !== undefined && {baseDelayMs: options.http.retryBaseDelayMs}),
				...(options.http?.retryMaxDelayMs !== undefined && {maxDelayMs: options.http.retryMaxDelayMs}),
			},
			urlRewrite: options.urlRewrite,
			env: options.env,
			signal,
			onLog: (level: 'info' | 'warn', message: string) => log(level, message),
		};
		const opened = await Promise.all(roles.map((role) => openSource(options.layers[role]!, {...context, role})));
		const sources = new Map(roles.map((role, index) => [role, opened[index]]));

		// A folder the caller did not open is this fetch's own: locked until the fetch ends.
		const folder = options.folder ?? (ownFolder = await RunFolder.open(runDir));
		await folder.start(plan, (message) => log('info', message));
		const {manifest} = folder;
		const tiles = options.tiles ?? plan.tiles;
		for (const role of roles) emit({type: 'fetch-start', layer: role, total: tiles.length});

		const fetchLayerTile = async (role: LayerName, tile: Tile): Promise<LayerResult> => {
			const source = sources.get(role)!;
			const fingerprint = tileFingerprint(source.fingerprint(), tile, plan.crs);
			const checkStart = performance.now();
			const kept = await keptTile(runDir, manifest, role, tile.id, fingerprint, (message) => log('warn', message));
			if (kept) {
				emit({
					type: 'tile-done',
					layer: role,
					tileId: tile.id,
					bytes: kept.bytes,
					skipped: true,
					ms: Math.round(performance.now() - checkStart),
				});
				return {raster: kept.raster, skipped: true};
			}
			emit({type: 'tile-queued', layer: role, tileId: tile.id});
			const startedAt = new Date().toISOString();
			const start = performance.now();
			let reported = 0;
			let attempts = 1;
			try {
				const fetched = await source.fetch(tile, {
					signal,
					onRetry: (attempt, reason) => {
						attempts = Math.max(attempts, attempt + 1);
						emit({type: 'tile-retry', layer: role, tileId: tile.id, attempt, reason});
					},
					onBytes: (bytes, totalBytes) => {
						if (bytes - reported < progressStep) return;
						reported = bytes;
						emit({
							type: 'tile-progress',
							layer: role,
							tileId: tile.id,
							bytes,
							...(totalBytes !== undefined && {totalBytes}),
						});
					},
				});
				const stored = await storeTile(runDir, role, tile.id, fetched.raster);
				const ms = Math.round(performance.now() - start);
				manifest.set(role, tile.id, {
					state: 'done',
					...stored,
					sources: fetched.urls,
					fingerprint,
					attempts: fetched.attempts,
					requests: fetched.urls.length,
					downloadedBytes: fetched.bytes,
					startedAt,
					ms,
				});
				manifest.saveSoon();
				emit({type: 'tile-done', layer: role, tileId: tile.id, bytes: stored.bytes!, skipped: false, ms});
				return {raster: fetched.raster, skipped: false};
			} catch (error) {
				if (isAbortError(error) || signal.aborted) throw error;
				const message = redact(messageOf(error));
				emit({type: 'tile-failed', layer: role, tileId: tile.id, error: message});
				manifest.set(role, tile.id, {
					state: 'failed',
					error: message,
					fingerprint,
					attempts,
					startedAt,
					ms: Math.round(performance.now() - start),
				});
				if (error instanceof UserError) throw error;
				throw new RunError(`tile ${tile.id}, layer ${role}: ${message}`, {cause: error});
			}
		};

		const fetchContextLayer = async (role: LayerName, tile: Tile): Promise<LayerResult> => {
			const stored = await storedTile(runDir, role, tile.id);
			const raster = stored ?? (await sources.get(role)!.fetch(tile, {signal})).raster;
			emit({
				type: 'context-tile',
				layer: role,
				tileId: tile.id,
				pixels: raster.width * raster.height,
				fetched: !stored,
			});
			return {raster, skipped: true};
		};
		const contextOnly = new Set(options.contextOnly?.map((tile) => tile.id));

		const fetchTile = async (tile: Tile): Promise<FetchedTile> => {
			if (contextOnly.has(tile.id)) {
				const [rgb, dsm] = await Promise.all(roles.map((role) => fetchContextLayer(role, tile)));
				return {tile, rgb: rgb.raster, ...(dsm && {dsm: dsm.raster}), skipped: true, contextOnly: true};
			}
			// allSettled: a failing layer must not hide the other layer's write still in flight.
			const settled = await Promise.allSettled(roles.map((role) => fetchLayerTile(role, tile)));
			const failed =
				settled.find((outcome) => outcome.status === 'rejected' && !isAbortError(outcome.reason)) ??
				settled.find((outcome) => outcome.status === 'rejected');
			if (failed) throw (failed as PromiseRejectedResult).reason;
			const results = settled.map((outcome) => (outcome as PromiseFulfilledResult<LayerResult>).value);
			const byRole = new Map(roles.map((role, index) => [role, results[index]]));
			const fetched: FetchedTile = {
				tile,
				rgb: byRole.get('rgb')!.raster,
				skipped: results.every((result) => result.skipped),
			};
			const dsm = byRole.get('dsm');
			if (dsm) fetched.dsm = dsm.raster;
			return fetched;
		};

		// Row by row, the context tiles among the own ones: the context stage can hand tiles on a row behind.
		const order = (tile: Tile) => tile.row * plan.cols + tile.col;
		const all = [...tiles, ...(options.contextOnly ?? [])].sort((a, b) => order(a) - order(b));
		yield* schedule(all, fetchTile, {
			inFlight: concurrency.downloads,
			maxAhead: options.maxAhead ?? 2 * concurrency.downloads,
			controller,
			settle: () => manifest.save(),
		});
	} finally {
		options.signal?.removeEventListener('abort', forwardAbort);
		controller.abort();
		http.close();
		await ownFolder?.release();
	}
}

/**
 * fetchTiles downloading from now on: a generator's body waits for the first time a tile is asked for, and a run
 * asks only once its models are loaded. Until then the tiles wait in the fetch's bounded lookahead. `close` ends
 * the downloads when `tiles` is never read to its end (its failures are for whoever reads `tiles`).
 */
export function fetchTilesNow(options: FetchOptions): {tiles: AsyncGenerator<FetchedTile>; close: () => Promise<void>} {
	const generator = fetchTiles(options);
	const first = generator.next();
	first.catch(() => undefined);
	async function* tiles(): AsyncGenerator<FetchedTile> {
		try {
			for (let next = await first; !next.done; next = await generator.next()) yield next.value;
		} finally {
			await generator.return(undefined);
		}
	}
	return {
		tiles: tiles(),
		close: () =>
			generator.return(undefined).then(
				() => undefined,
				() => undefined,
			),
	};
}

type ScheduleSettings = {inFlight: number; maxAhead: number; controller: AbortController; settle: () => Promise<void>};

/**
 * Runs `work` over the items, at most `inFlight` at a time, starting new ones (as others finish or the consumer
 * takes a result) only while fewer than `maxAhead` results wait for the consumer. The first failure (or the
 * consumer leaving early) aborts the rest; the generator returns or throws only once every started task has
 * settled.
 */
async function* schedule<T, R>(
	items: T[],
	work: (item: T) => Promise<R>,
	settings: ScheduleSettings,
): AsyncGenerator<R> {
	const {controller} = settings;
	const ready: R[] = [];
	const running = new Set<Promise<void>>();
	let failure: {error: unknown} | undefined;
	let next = 0;
	let wake = () => {};

	const start = () => {
		while (
			!failure &&
			!controller.signal.aborted &&
			next < items.length &&
			running.size < settings.inFlight &&
			ready.length < settings.maxAhead
		) {
			const item = items[next++];
			const task: Promise<void> = work(item)
				.then(
					(result) => {
						ready.push(result);
					},
					(error: unknown) => {
						// The first real error wins over the AbortErrors it causes in the other tasks.
						if (!failure || (isAbortError(failure.error) && !isAbortError(error))) failure = {error};
						controller.abort();
					},
				)
				.finally(() => {
					running.delete(task);
					// The lookahead fills while the consumer is busy, not only when it asks for the next tile.
					start();
					wake();
				});
			running.add(task);
		}
	};

	try {
		start();
		for (;;) {
			if (failure) break;
			const result = ready.shift();
			if (result !== undefined) {
				start();
				yield result;
				continue;
			}
			if (running.size === 0 && (next >= items.length || controller.signal.aborted)) break;
			await new Promise<void>((resolve) => {
				wake = resolve;
			});
		}
		if (!failure && controller.signal.aborted) failure = {error: abortError(controller.signal)};
	} finally {
		controller.abort();
		while (running.size > 0) await Promise.allSettled([...running]);
		await settings.settle();
	}
	if (failure) throw failure.error;
}

/** Drain fetchTiles: download (or keep) every tile, for `deepmask fetch`. */
export async function fetchAll(options: FetchOptions): Promise<FetchSummary> {
	const start = performance.now();
	let bytesWritten = 0;
	const summary: FetchSummary = {tiles: 0, downloaded: 0, skipped: 0, bytesWritten: 0, ms: 0};
	const onEvent = (event: FetchEvent) => {
		if (event.type === 'tile-done' && !event.skipped) bytesWritten += event.bytes;
		options.onEvent?.(event);
	};
	for await (const fetched of fetchTiles({...options, onEvent})) {
		summary.tiles++;
		if (fetched.skipped) summary.skipped++;
		else summary.downloaded++;
	}
	return {...summary, bytesWritten, ms: Math.round(performance.now() - start)};
}
