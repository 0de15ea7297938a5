import type {LayerName} from '../../config/preset-schema.js';
import type {LogLevel, RunEvent, RunStage, SlidingCost} from './events.js';

export type InFlightTile = {tileId: string; bytes: number; attempt: number; startedAt: number};

export type LayerProgress = {
	total: number;
	done: number;
	skipped: number;
	bytes: number;
	retries: number;
	inFlight: InFlightTile[];
	firstAt?: number;
	lastAt?: number;
};

export type ModelProgress = {
	name: string;
	provider: string;
	providerReason?: string;
	done: number;
	totalMs: number;
	firstAt?: number;
	lastAt?: number;
};

export type RunState = 'starting' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

/** What a view needs to draw a run at any moment; built only from events, so any view can rebuild it. */
export type RunSnapshot = {
	runDir: string;
	preset: string;
	state: RunState;
	stage?: RunStage;
	startedAt: number;
	updatedAt: number;
	tiles: number;
	rows: number;
	cols: number;
	downloads: Partial<Record<LayerName, LayerProgress>>;
	models: ModelProgress[];
	inferred: number;
	/** Sliding mode: what the windows of the tiles inferred so far cost, summed; absent in resize mode. */
	sliding?: SlidingCost;
	/** A shard in sliding mode: other shards' tiles it took for context, by layer tile, read from tiles/ or fetched. */
	shardContext?: {readPixels: number; fetchedPixels: number};
	written: number;
	log: Array<{at: number; level: LogLevel; message: string}>;
	message?: string;
};

/** Whether the run has ended (done, failed or cancelled): nothing of it moves any more. */
export function isFinished(snapshot: Pick<RunSnapshot, 'state'>): boolean {
	return snapshot.state === 'done' || snapshot.state === 'failed' || snapshot.state === 'cancelled';
}

export const LOG_LINES_KEPT = 200;

export function emptySnapshot(now = Date.now()): RunSnapshot {
	return {
		runDir: '',
		preset: '',
		state: 'starting',
		startedAt: now,
		updatedAt: now,
		tiles: 0,
		rows: 0,
		cols: 0,
		downloads: {},
		models: [],
		inferred: 0,
		written: 0,
		log: [],
	};
}

function layerOf(snapshot: RunSnapshot, layer: LayerName): LayerProgress {
	const progress = snapshot.downloads[layer];
	if (!progress) throw new Error(`event for layer ${layer} before run-start`);
	return progress;
}

function modelOf(snapshot: RunSnapshot, name: string): ModelProgress {
	let model = snapshot.models.find((entry) => entry.name === name);
	if (!model) {
		model = {name, provider: '?', done: 0, totalMs: 0};
		snapshot.models.push(model);
	}
	return model;
}

/** Fold one event into the snapshot (mutates and returns it: events arrive often, copies would be waste). */
function appendLog(snapshot: RunSnapshot, line: RunSnapshot['log'][number]): void {
	snapshot.log.push(line);
	if (snapshot.log.length > LOG_LINES_KEPT) snapshot.log.splice(0, snapshot.log.length - LOG_LINES_KEPT);
}

export function applyEvent(snapshot: RunSnapshot, event: RunEvent): RunSnapshot {
	snapshot.updatedAt = event.at;
	switch (event.type) {
		case 'run-start': {
			Object.assign(snapshot, {
				runDir: event.runDir,
				preset: event.preset,
				state: 'running',
				startedAt: event.at,
				tiles: event.tiles,
				rows: event.rows,
				cols: event.cols,
			});
			snapshot.downloads = Object.fromEntries(
				event.layers.map((layer) => [
					layer,
					{total: event.tiles, done: 0, skipped: 0, bytes: 0, retries: 0, inFlight: []},
				]),
			);
			snapshot.models = event.models.map((name) => ({name, provider: '…', done: 0, totalMs: 0}));
			break;
		}
		case 'stage':
			if (event.state === 'start') snapshot.stage = event.stage;
			break;
		case 'tile-queued':
			layerOf(snapshot, event.layer).inFlight.push({tileId: event.tileId, bytes: 0, attempt: 1, startedAt: event.at});
			break;
		case 'tile-progress': {
			const tile = layerOf(snapshot, event.layer).inFlight.find((entry) => entry.tileId === event.tileId);
			if (tile) tile.bytes = event.bytes;
			break;
		}
		case 'tile-retry': {
			const layer = layerOf(snapshot, event.layer);
			layer.retries++;
			const tile = layer.inFlight.find((entry) => entry.tileId === event.tileId);
			if (tile) tile.attempt = event.attempt + 1;
			break;
		}
		case 'tile-fetched': {
			const layer = layerOf(snapshot, event.layer);
			layer.inFlight = layer.inFlight.filter((entry) => entry.tileId !== event.tileId);
			layer.done++;
			if (event.skipped) layer.skipped++;
			else {
				layer.bytes += event.bytes;
				layer.firstAt ??= event.at - event.ms;
				layer.lastAt = event.at;
			}
			break;
		}
		case 'model-ready': {
			const model = modelOf(snapshot, event.model);
			model.provider = event.provider;
			model.providerReason = event.reason;
			// Every model falls back for the same reason (no CUDA here): the log says it once.
			if (
				event.reason &&
				event.provider === 'cpu' &&
				!snapshot.log.some((line) => line.message.endsWith(event.reason!))
			)
				appendLog(snapshot, {at: event.at, level: 'warn', message: `inference on the CPU: ${event.reason}`});
			break;
		}
		case 'model-tile': {
			const model = modelOf(snapshot, event.model);
			model.done++;
			model.totalMs += event.ms;
			model.firstAt ??= event.at - event.ms;
			model.lastAt = event.at;
			break;
		}
		case 'tile-inferred':
			snapshot.inferred++;
			if (event.sliding) {
				const sum = (snapshot.sliding ??= {windows: 0, extraWindows: 0, tilePixels: 0, marginPixels: 0});
				sum.windows += event.sliding.windows;
				sum.extraWindows += event.sliding.extraWindows;
				sum.tilePixels += event.sliding.tilePixels;
				sum.marginPixels += event.sliding.marginPixels;
			}
			break;
		case 'context-tile': {
			const context = (snapshot.shardContext ??= {readPixels: 0, fetchedPixels: 0});
			if (event.fetched) context.fetchedPixels += event.pixels;
			else context.readPixels += event.pixels;
			break;
		}
		case 'tile-written':
			snapshot.written++;
			break;
		case 'writes-restarted':
			snapshot.written = 0;
			break;
		case 'paused':
			if (snapshot.state === 'running' || snapshot.state === 'paused')
				snapshot.state = event.paused ? 'paused' : 'running';
			break;
		case 'log':
			appendLog(snapshot, {at: event.at, level: event.level, message: event.message});
			break;
		case 'run-end':
			snapshot.state = event.state;
			snapshot.message = event.message;
			break;
	}
	return snapshot;
}

/** Derived figures for views: rates per second over the active period, and a simple ETA. */
export function layerRate(progress: LayerProgress): {bytesPerSecond: number; tilesPerSecond: number} {
	const seconds =
		progress.firstAt !== undefined && progress.lastAt !== undefined ? (progress.lastAt - progress.firstAt) / 1000 : 0;
	const fetched = progress.done - progress.skipped;
	return seconds > 0
		? {bytesPerSecond: progress.bytes / seconds, tilesPerSecond: fetched / seconds}
		: {bytesPerSecond: 0, tilesPerSecond: 0};
}

export function modelRate(model: ModelProgress): {tilesPerSecond: number; msPerTile: number} {
	const seconds = model.firstAt !== undefined && model.lastAt !== undefined ? (model.lastAt - model.firstAt) / 1000 : 0;
	return {
		tilesPerSecond: seconds > 0 ? model.done / seconds : 0,
		msPerTile: model.done > 0 ? model.totalMs / model.done : 0,
	};
}

/** Overall progress 0..1: fetch, inference and writing weighted equally. */
export function overallProgress(snapshot: RunSnapshot): number {
	if (snapshot.tiles === 0) return 0;
	const layers = Object.values(snapshot.downloads);
	const fetched = layers.length
		? layers.reduce((sum, layer) => sum + layer.done, 0) / (layers.length * snapshot.tiles)
		: 1;
	return (fetched + snapshot.inferred / snapshot.tiles + snapshot.written / snapshot.tiles) / 3;
}

/**
 * When a stage that did `done` of `total` tiles between `firstAt` and `lastAt` finishes at that pace, in ms
 * from `now`: counting down between its events, and never below what is left at its pace once it is late.
 */
function stageEta(
	done: number,
	total: number,
	firstAt: number | undefined,
	lastAt: number | undefined,
	now: number,
): number | undefined {
	if (done >= total) return 0;
	if (done === 0 || firstAt === undefined || lastAt === undefined || lastAt <= firstAt) return undefined;
	const left = ((total - done) * (lastAt - firstAt)) / done;
	const projected = lastAt + left - now;
	return projected > 0 ? projected : left;
}

/** Until every layer is downloaded; undefined before each has a pace. */
export function fetchEtaMs(snapshot: RunSnapshot, now: number): number | undefined {
	let eta: number | undefined = 0;
	for (const layer of Object.values(snapshot.downloads)) {
		const left = stageEta(layer.done - layer.skipped, layer.total - layer.skipped, layer.firstAt, layer.lastAt, now);
		eta = left === undefined || eta === undefined ? undefined : Math.max(eta, left);
	}
	return eta;
}

/**
 * Until the last tile is inferred: the slower of downloading and inference at their own paces (tiles flow
 * through both, so the later finish is the run's); undefined until both have a pace.
 */
export function etaMs(snapshot: RunSnapshot, now: number): number | undefined {
	const fetch = fetchEtaMs(snapshot, now);
	const started = snapshot.models.flatMap((model) => (model.firstAt === undefined ? [] : [model.firstAt]));
	const finished = snapshot.models.flatMap((model) => (model.lastAt === undefined ? [] : [model.lastAt]));
	const infer = stageEta(
		snapshot.inferred,
		snapshot.tiles,
		started.length > 0 ? Math.min(...started) : undefined,
		finished.length > 0 ? Math.max(...finished) : undefined,
		now,
	);
	if (fetch === undefined || infer === undefined) return undefined;
	return Math.max(fetch, infer);
}
