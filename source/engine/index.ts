/**
 * The engine's public API: what the commands, app/ and the terminal app use. The UI imports from here
 * only, never a module inside the engine and never a copy of its types.
 */
export type {Bbox, GeoRaster} from './geo/georaster.js';
export {makePlan, type Plan, type PlanArea, type Tile} from './geo/plan.js';
export {readArea} from './area/read-area.js';
export {downloadEstimate} from './fetch/download-estimate.js';
export {areaUnit, linearUnit} from './geo/crs.js';
export type {ClassConfig, ClassInfo} from './classes/class-config.js';
export {sameThreshold, type Threshold} from './classes/threshold.js';
export type {FetchEvent, FetchSummary} from './fetch/fetch-tiles.js';
export type {Ensemble, EnsembleOptions, InferEvent, InferMode, ModelInfo, Prediction, Provider} from './infer/types.js';
export type {RunStats, StatsDocument, TileStats} from './masks/stats-types.js';
export {startRun, type RunHandle, type RunOptions, type ServiceConnection} from './pipeline/run.js';
export type {ReviewSession, WriteSummary} from './pipeline/review.js';
export * from './status.js';
export {resolveModelPaths} from './infer/discover.js';
// Types only: describing layers opens sources, whose decoders (sharp) `plan` and `--help` must not load.
export type {LayerDescription} from './sources/describe-layers.js';
export {layerSummary} from './sources/layer-summary.js';
export {startWorker} from './threads/start-worker.js';
