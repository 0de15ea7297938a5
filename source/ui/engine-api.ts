import type {ReviewSession as EngineReviewSession, RunHandle as EngineRunHandle, RunOptions} from '../engine/index.js';

/**
 * The part of the engine's run (engine/index.ts: startRun, RunHandle, ReviewSession) the app drives,
 * picked from the engine's own types so that tests can script a run with the same shape.
 */
export type ReviewSession = Pick<
	EngineReviewSession,
	'stats' | 'areaUnit' | 'mode' | 'thresholdClasses' | 'setThreshold' | 'preview' | 'write' | 'discard'
>;

export type RunHandle = Pick<EngineRunHandle, 'snapshot' | 'subscribe' | 'pause' | 'resume' | 'cancel'> & {
	review: Promise<ReviewSession>;
};

export type StartRun = (options: Pick<RunOptions, 'preset' | 'runDir' | 'signal'>) => RunHandle;
