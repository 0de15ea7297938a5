import type {LoadedPreset} from '../config/presets.js';
import type {StatsDocument} from '../engine/masks/stats-types.js';
import type {RunEvent} from '../engine/pipeline/events.js';
import type {RunSnapshot} from '../engine/pipeline/snapshot.js';

/**
 * The run engine as the app drives it: the part of source/engine/run/run.ts (startRun, RunHandle,
 * ReviewSession) the app uses. Structural, so the real engine fits and tests can script a run.
 */
export type StartRun = (options: {preset: LoadedPreset; outDir?: string; signal?: AbortSignal}) => RunHandle;

export interface RunHandle {
	snapshot(): RunSnapshot;
	subscribe(listener: (event: RunEvent) => void): () => void;
	pause(): void;
	resume(): void;
	cancel(): void;
	review: Promise<ReviewSession>;
}

export interface ReviewSession {
	stats(): StatsDocument;
	setThreshold(threshold: number): Promise<StatsDocument>;
	preview(tileId: string, width: number, height: number): Promise<{rgb: Uint8Array; mask: Uint8Array}>;
	write(): Promise<{outDir: string; files: string[]; tiles?: number}>;
	discard(): Promise<void>;
}
