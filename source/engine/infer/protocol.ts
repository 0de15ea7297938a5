import type {ValueInfo} from './io-check.js';

/** Messages between the ensemble (main thread) and a model's session worker. */
export type WorkerInit = {
	modelPath: string;
	/** Execution providers to try in order, each alone; the first that creates a session wins. */
	providers: Array<'cuda' | 'cpu'>;
	intraOpThreads: number;
	batchSize: number;
	output: 'probabilities' | 'logits';
};

export type ToWorker =
	| {type: 'run'; id: number; data: ArrayBuffer; channels: number; size: number}
	/** Release the session and exit after the queued requests, or at once after the running batch when discard is set. */
	| {type: 'close'; discard: boolean};

export type FromWorker =
	| {type: 'ready'; provider: 'cuda' | 'cpu'; failures: Array<{provider: string; message: string}>; inputs: ValueInfo[]; outputs: ValueInfo[]}
	| {type: 'init-error'; failures: Array<{provider: string; message: string}>}
	/** One request's foreground probabilities (size × size float32); ms is its share of the batch's run time. */
	| {type: 'result'; id: number; data: ArrayBuffer; ms: number; batch: number}
	| {type: 'run-error'; ids: number[]; message: string}
	| {type: 'closed'};
