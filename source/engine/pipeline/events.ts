import type {LayerName} from '../../config/preset-schema.js';

export type RunStage = 'plan' | 'fetch' | 'infer' | 'review' | 'write';
export type LogLevel = 'info' | 'warn' | 'error';

/**
 * Everything the engine tells its views (TUI, stderr lines, NDJSON), one discriminated union.
 * `at` is milliseconds since the epoch, set by the engine when the event is published.
 */
export type RunEvent = {at: number} & (
	| {
			type: 'run-start';
			runDir: string;
			preset: string;
			tiles: number;
			rows: number;
			cols: number;
			/** Tiles of the grid outside the area: not fetched, inferred or written. */
			skipped?: number;
			layers: LayerName[];
			models: string[];
	  }
	| {type: 'stage'; stage: RunStage; state: 'start' | 'end'}
	| {type: 'tile-queued'; layer: LayerName; tileId: string}
	| {type: 'tile-progress'; layer: LayerName; tileId: string; bytes: number}
	| {type: 'tile-retry'; layer: LayerName; tileId: string; attempt: number; reason: string}
	| {type: 'tile-fetched'; layer: LayerName; tileId: string; bytes: number; skipped: boolean; ms: number}
	| {type: 'model-ready'; model: string; provider: string; reason?: string}
	| {type: 'model-tile'; model: string; tileId: string; ms: number; batch: number}
	| {
			type: 'tile-inferred';
			tileId: string;
			skipped: boolean;
			/** Sliding mode, a tile inferred now: the windows it took and the context pixels it was given. */
			sliding?: SlidingCost;
	  }
	/** A tile of another shard read or fetched for this shard's context (sliding mode). */
	| {type: 'context-tile'; layer: LayerName; tileId: string; pixels: number; fetched: boolean}
	| {type: 'tile-written'; tileId: string}
	/** The masks written so far were at another threshold: they count no more, and are written again. */
	| {type: 'writes-restarted'}
	| {type: 'paused'; paused: boolean}
	| {type: 'log'; level: LogLevel; message: string}
	| {type: 'run-end'; state: 'done' | 'failed' | 'cancelled'; message?: string}
);

/** What sliding windows on the area's grid cost beyond inferring each tile alone. */
export type SlidingCost = {
	/** Windows inferred, over all members. */
	windows: number;
	/**
	 * Of them, the extra that the context costs: windows beyond those of each tile inferred alone. Negative where
	 * sharing the windows between neighbouring tiles saves more than the context costs (and per tile, for a tile
	 * whose windows its neighbours inferred).
	 */
	extraWindows: number;
	/** The tiles' own pixels. */
	tilePixels: number;
	/** Pixels of the tiles' contexts that are not their own (neighbours' pixels or padding outside the area). */
	marginPixels: number;
};

export type RunEventOf<T extends RunEvent['type']> = Extract<RunEvent, {type: T}>;
