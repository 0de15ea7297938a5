import type {LayerName} from '../../config/preset-schema.js';

/** What the fetcher reports while it works; one line of NDJSON each with --json. */
export type FetchEvent =
	| {type: 'fetch-start'; layer: LayerName; total: number}
	| {type: 'tile-queued'; layer: LayerName; tileId: string}
	| {type: 'tile-progress'; layer: LayerName; tileId: string; bytes: number; totalBytes?: number}
	| {type: 'tile-retry'; layer: LayerName; tileId: string; attempt: number; reason: string}
	| {type: 'tile-done'; layer: LayerName; tileId: string; bytes: number; skipped: boolean; ms: number}
	| {type: 'tile-failed'; layer: LayerName; tileId: string; error: string}
	/** A tile fetched only as another tile's context: read from the run folder, or fetched (and not stored). */
	| {type: 'context-tile'; layer: LayerName; tileId: string; pixels: number; fetched: boolean}
	| {type: 'log'; level: 'info' | 'warn' | 'error'; message: string};
