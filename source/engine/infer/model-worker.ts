import type {Worker} from 'node:worker_threads';
import {RunError} from '../../errors.js';
import {startWorker} from '../threads/start-worker.js';
import type {FromWorker, TileRequest, ToWorker, WorkerInit} from './protocol.js';

/** windows: the sliding windows inferred for this tile (those other tiles of the area inferred first not counted). */
export type RunResult = {probability: Float32Array; ms: number; batch: number; windows: number};
type Pending = {resolve: (result: RunResult) => void; reject: (error: Error) => void; into?: SharedArrayBuffer};
type Ready = Extract<FromWorker, {type: 'ready'}>;
type InitError = Extract<FromWorker, {type: 'init-error'}>;

/**
 * A model worker's JavaScript allocates little (its planes are typed arrays, outside V8's heap), yet V8 grows a
 * thread's young generation up to 48 MB while objects survive its collections, and keeps it: each worker's memory
 * grew with the length of a run. 6 MB (semi-spaces of 2 MB, as bin/deepmask.js sets for the process) levels it off,
 * no slower, also where the engine runs in a process without that flag.
 */
const modelWorkerLimits = {maxYoungGenerationSizeMb: 6};

/** The main thread's handle on one model's session worker. */
export class ModelWorker {
	private nextId = 0;
	private readonly pending = new Map<number, Pending>();
	private stopped: Error | undefined;
	private closeSent = false;
	private readonly exited: Promise<void>;

	private constructor(
		readonly name: string,
		private readonly worker: Worker,
	) {
		worker.on('message', (message: FromWorker) => this.onMessage(message));
		worker.on('error', (error) => this.fail(new RunError(`model ${name}: its worker crashed (${error.message}).`)));
		this.exited = new Promise((resolve) =>
			worker.on('exit', (code) => {
				this.fail(new RunError(`model ${name}: its worker exited (code ${code}).`));
				resolve();
			}),
		);
	}

	/** Start the worker and wait until its session exists (or every provider failed). */
	static start(
		name: string,
		init: WorkerInit,
	): Promise<{worker: ModelWorker; ready: Ready} | {worker?: undefined; failed: InitError}> {
		const thread = startWorker(import.meta.url, './session-worker', init, modelWorkerLimits);
		const handle = new ModelWorker(name, thread);
		return new Promise((resolve, reject) => {
			const onExit = (code: number) =>
				reject(new RunError(`model ${name}: its worker exited (code ${code}) before the session was ready.`));
			const onError = (error: Error) =>
				reject(new RunError(`model ${name}: its worker failed to start (${error.message}).`));
			thread.once('exit', onExit);
			thread.once('error', onError);
			thread.once('message', (message: FromWorker) => {
				thread.off('exit', onExit);
				thread.off('error', onError);
				if (message.type === 'ready') resolve({worker: handle, ready: message});
				else if (message.type === 'init-error') resolve({failed: message});
				else reject(new RunError(`model ${name}: unexpected first message ${message.type} from its worker.`));
			});
		});
	}

	/**
	 * One tile at the output size, made from the shared tile by the worker (`tile` is only read there), in `into` when
	 * the request lends one.
	 */
	predict(request: Omit<TileRequest, 'type' | 'id'>): Promise<RunResult> {
		if (this.stopped) return Promise.reject(this.stopped);
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, {resolve, reject, into: request.into});
			this.worker.postMessage({...request, type: 'predict', id} satisfies ToWorker);
		});
	}

	/** Release the session and end the thread after the queued work. */
	close(): Promise<void> {
		this.sendClose(false);
		return this.exited;
	}

	/**
	 * Stop: pending runs reject with `reason` now; the worker drops its queue, finishes the batch in
	 * progress (a thread cannot be terminated safely inside onnxruntime) and exits.
	 */
	abort(reason: Error): Promise<void> {
		this.fail(reason);
		this.sendClose(true);
		return this.exited;
	}

	private sendClose(discard: boolean): void {
		if (this.closeSent) return;
		this.closeSent = true;
		this.worker.postMessage({type: 'close', discard} satisfies ToWorker);
	}

	private onMessage(message: FromWorker): void {
		if (message.type === 'result') {
			const pending = this.pending.get(message.id);
			this.pending.delete(message.id);
			if (!pending) return;
			pending.resolve({
				probability: new Float32Array(message.data ?? pending.into!),
				ms: message.ms,
				batch: message.batch,
				windows: message.windows,
			});
		} else if (message.type === 'run-error') {
			for (const id of message.ids) {
				this.pending.get(id)?.reject(new RunError(`model ${this.name}: inference failed (${message.message}).`));
				this.pending.delete(id);
			}
		} else if (message.type === 'closed') {
			this.fail(new RunError(`model ${this.name}: the ensemble is closed.`));
		}
	}

	private fail(error: Error): void {
		this.stopped ??= error;
		for (const pending of this.pending.values()) pending.reject(this.stopped);
		this.pending.clear();
	}
}
