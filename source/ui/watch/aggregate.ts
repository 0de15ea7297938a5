/** One snapshot for the whole run from the snapshots of its shards, so the run dashboard can draw it. */
import type {LayerName} from '../../config/preset-schema.js';
import {
	isFinished,
	LOG_LINES_KEPT,
	type LayerProgress,
	type ModelProgress,
	type RunSnapshot,
	type RunState,
} from '../../engine/status.js';

const minOf = (values: Array<number | undefined>) => {
	const defined = values.filter((value): value is number => value !== undefined);
	return defined.length ? Math.min(...defined) : undefined;
};
const maxOf = (values: Array<number | undefined>) => {
	const defined = values.filter((value): value is number => value !== undefined);
	return defined.length ? Math.max(...defined) : undefined;
};

function stateOf(states: RunState[]): RunState {
	for (const state of ['running', 'starting', 'paused', 'failed', 'cancelled'] as const)
		if (states.includes(state)) return state === 'starting' ? 'running' : state;
	return 'done';
}

function sumLayers(layers: LayerProgress[]): LayerProgress {
	return {
		total: layers.reduce((sum, layer) => sum + layer.total, 0),
		done: layers.reduce((sum, layer) => sum + layer.done, 0),
		skipped: layers.reduce((sum, layer) => sum + layer.skipped, 0),
		bytes: layers.reduce((sum, layer) => sum + layer.bytes, 0),
		retries: layers.reduce((sum, layer) => sum + layer.retries, 0),
		inFlight: layers.flatMap((layer) => layer.inFlight),
		firstAt: minOf(layers.map((layer) => layer.firstAt)),
		lastAt: maxOf(layers.map((layer) => layer.lastAt)),
	};
}

function sumModels(models: ModelProgress[]): ModelProgress {
	return {
		name: models[0].name,
		provider: models[0].provider,
		providerReason: models.find((model) => model.providerReason)?.providerReason,
		done: models.reduce((sum, model) => sum + model.done, 0),
		totalMs: models.reduce((sum, model) => sum + model.totalMs, 0),
		firstAt: minOf(models.map((model) => model.firstAt)),
		lastAt: maxOf(models.map((model) => model.lastAt)),
	};
}

/** Counts and rates summed over the shards; log lines merged in time order, each marked with its shard. */
export function aggregateSnapshots(shards: Array<{label: string; snapshot: RunSnapshot}>): RunSnapshot {
	if (shards.length === 1) return shards[0].snapshot;
	const snapshots = shards.map((shard) => shard.snapshot);
	const first = snapshots[0];
	const layerNames = [...new Set(snapshots.flatMap((snapshot) => Object.keys(snapshot.downloads) as LayerName[]))];
	const modelNames = [...new Set(snapshots.flatMap((snapshot) => snapshot.models.map((model) => model.name)))];
	const state = stateOf(snapshots.map((snapshot) => snapshot.state));
	const unfinished = snapshots.find((snapshot) => !isFinished(snapshot));
	const log = shards
		.flatMap(({label, snapshot}) => snapshot.log.map((line) => ({...line, message: `[${label}] ${line.message}`})))
		.sort((a, b) => a.at - b.at)
		.slice(-LOG_LINES_KEPT);
	return {
		runDir: first.runDir,
		preset: first.preset,
		state,
		stage: (unfinished ?? first).stage,
		startedAt: minOf(snapshots.map((snapshot) => snapshot.startedAt))!,
		updatedAt: maxOf(snapshots.map((snapshot) => snapshot.updatedAt))!,
		tiles: snapshots.reduce((sum, snapshot) => sum + snapshot.tiles, 0),
		rows: first.rows,
		cols: first.cols,
		downloads: Object.fromEntries(
			layerNames.map((layer) => [layer, sumLayers(snapshots.flatMap((snapshot) => snapshot.downloads[layer] ?? []))]),
		),
		models: modelNames.map((name) =>
			sumModels(snapshots.flatMap((snapshot) => snapshot.models.filter((model) => model.name === name))),
		),
		inferred: snapshots.reduce((sum, snapshot) => sum + snapshot.inferred, 0),
		written: snapshots.reduce((sum, snapshot) => sum + snapshot.written, 0),
		log,
		message: snapshots.find((snapshot) => snapshot.state === 'failed')?.message,
	};
}
