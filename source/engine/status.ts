/**
 * The engine's light entry point for views that only read a run's progress (`deepmask watch`, the
 * dashboard): the snapshot and the status files, without onnxruntime, sharp or the sources.
 * engine/index.ts is the whole API and includes this.
 */
export type {RunEvent, RunEventOf, RunStage} from './pipeline/events.js';
export {
	emptySnapshot,
	etaMs,
	fetchEtaMs,
	isFinished,
	layerRate,
	LOG_LINES_KEPT,
	modelRate,
	overallProgress,
	type LayerProgress,
	type ModelProgress,
	type RunSnapshot,
	type RunState,
} from './pipeline/snapshot.js';
export {readRunStatus, type Liveness, type RunStatus, type StatusEntry} from './shard/run-status.js';
