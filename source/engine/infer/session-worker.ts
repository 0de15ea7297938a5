/**
 * One model's InferenceSession, alive for the whole run, in its own thread: session.run() blocks the
 * thread it runs on. Each tile is made into the model's inputs here (resized, or cut into windows), and
 * inputs of the same shape that queue up while a batch runs form the next batch; the probabilities go
 * back at the output size.
 */
import {parentPort, workerData} from 'node:worker_threads';
import ort from 'onnxruntime-node';
import {classPlanes} from './class-planes.js';
import {memberTile, type MemberTile} from './member-tile.js';
import {WindowCache} from './window-cache.js';
import type {FromWorker, ToWorker, WorkerInit} from './protocol.js';
import {messageOf} from '../../errors.js';
import {inTurn} from './turn.js';

const init = workerData as WorkerInit;
// The native "failed to load library" line of a CUDA attempt would land on the terminal; the failure is reported instead.
ort.env.logLevel = 'fatal';
const port = parentPort!;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/** One model-size input of a tile waiting for a batch (made when the batch is taken). */
type Input = {tile: number; index: number; channels: number; size: number};
/** Set once the session exists: the default depends on the provider it got. */
let batchSize = 1;

/** A tile whose inputs are queued or running, or whose windows other tiles are inferring: the time its inputs took. */
type Tile = {work: MemberTile; ms: number; batch: number};

/**
 * The batch inputs and the class planes, reused from batch to batch (one buffer per length, kept by purpose): made
 * anew per tile they were megabytes of garbage per tile, which the worker's isolate frees only when it next collects,
 * so the process's memory grew with the length of the run.
 */
const batchInputs = new Map<number, Float32Array>();
const classPlaneBuffers = new Map<number, Float32Array>();
function reused(buffers: Map<number, Float32Array>, length: number): Float32Array {
	let buffer = buffers.get(length);
	if (!buffer) buffers.set(length, (buffer = new Float32Array(length)));
	return buffer;
}

async function createSession(): Promise<void> {
	const failures: Array<{provider: string; message: string}> = [];
	for (const provider of init.providers) {
		try {
			const session = await inTurn(init.turn, () =>
				ort.InferenceSession.create(init.modelPath, {
					executionProviders: [provider],
					intraOpNumThreads: init.intraOpThreads,
					interOpNumThreads: 1,
					graphOptimizationLevel: 'all',
					// The arena and memory pattern (onnxruntime's defaults) keep what a run needs for each input shape, and
					// a session sees at most batchSize shapes ([n, C, size, size], n ≤ batchSize: the last batches may be
					// partial), so its memory is set within the first batches. Without them every intermediate tensor was
					// malloc'd and freed per run, and this thread's glibc heap fragmented further the longer the run.
					enableMemPattern: true,
					enableCpuMemArena: true,
				}),
			);
			batchSize = init.batchSize ?? (provider === 'cpu' ? 1 : 4);
			post({
				type: 'ready',
				provider,
				failures,
				inputs: session.inputMetadata.map(toValueInfo),
				outputs: session.outputMetadata.map(toValueInfo),
			});
			serve(session);
			return;
		} catch (error) {
			failures.push({provider, message: messageOf(error)});
		}
	}
	post({type: 'init-error', failures});
	port.close();
}

function toValueInfo(meta: ort.InferenceSession.ValueMetadata) {
	return meta.isTensor
		? {name: meta.name, isTensor: true, type: meta.type, shape: [...meta.shape]}
		: {name: meta.name, isTensor: false};
}

function serve(session: ort.InferenceSession): void {
	const inputName = session.inputNames[0];
	const outputName = session.outputNames[0];
	const queue: Input[] = [];
	const tiles = new Map<number, Tile>();
	const windows = new WindowCache();
	let running = false;
	let closing = false;

	const fail = (ids: number[], error: unknown) => {
		const failed = error instanceof Error ? error : new Error(messageOf(error));
		for (const id of ids) {
			tiles.get(id)?.work.abandon(failed);
			tiles.delete(id);
		}
		for (let i = queue.length - 1; i >= 0; i--) if (ids.includes(queue[i].tile)) queue.splice(i, 1);
		post({type: 'run-error', ids, message: messageOf(error)});
		// Tiles waiting for a window those tiles were to infer fail with them.
		settle();
	};

	const finishTile = (id: number, tile: Tile) => {
		tiles.delete(id);
		try {
			const probability = tile.work.finish();
			const result = {type: 'result', id, ms: tile.ms, batch: tile.batch, windows: tile.work.windows} as const;
			const {buffer} = probability;
			if (buffer instanceof SharedArrayBuffer) post(result);
			else post({...result, data: buffer}, [buffer]);
		} catch (error) {
			fail([id], error);
		}
	};

	/** Finishes the tiles whose outputs are all in now (their own, and the windows other tiles inferred for them). */
	const settle = () => {
		for (const [id, tile] of tiles) {
			let done: boolean;
			try {
				done = tile.work.advance();
			} catch (error) {
				fail([id], error);
				return;
			}
			if (done) finishTile(id, tile);
		}
	};

	const drain = async () => {
		if (running) return;
		running = true;
		while (queue.length > 0) {
			const first = queue[0];
			const batch = takeBatch(queue, first);
			try {
				const works = batch.map((input) => tiles.get(input.tile)!.work);
				const ms = await runBatch(session, inputName, outputName, batch, works);
				for (const input of batch) {
					const tile = tiles.get(input.tile);
					if (!tile) continue;
					tile.ms += ms;
					tile.batch = Math.max(tile.batch, batch.length);
				}
			} catch (error) {
				fail([...new Set(batch.map((input) => input.tile))], error);
			}
			settle();
			// Let messages that arrived during the run join the queue before the next batch is taken.
			await new Promise((resolve) => setImmediate(resolve));
		}
		running = false;
		if (closing) await shutdown(session);
	};

	port.on('message', (message: ToWorker) => {
		if (message.type === 'close') {
			closing = true;
			if (message.discard) {
				queue.length = 0;
				tiles.clear();
			}
			if (!running) void shutdown(session);
			return;
		}
		let work: MemberTile;
		try {
			work = memberTile(init.input, message, init.planes, windows);
		} catch (error) {
			fail([message.id], error);
			return;
		}
		const channels = init.input.bands.length;
		tiles.set(message.id, {work, ms: 0, batch: 0});
		for (let index = 0; index < work.inputs; index++)
			queue.push({tile: message.id, index, channels, size: message.size});
		// A tile whose windows other tiles inferred already is done now.
		if (work.inputs === 0) settle();
		void drain();
	});
}

function takeBatch(queue: Input[], first: Input): Input[] {
	const batch: Input[] = [];
	for (let i = 0; i < queue.length && batch.length < batchSize;) {
		const input = queue[i];
		if (input.channels === first.channels && input.size === first.size) {
			batch.push(input);
			queue.splice(i, 1);
		} else {
			i++;
		}
	}
	return batch;
}

function nonFiniteCount(values: Float32Array): number {
	let count = 0;
	// Indexed: for…of went through the array iterator for every value of every output.
	for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) count++;
	return count;
}

/**
 * Run one batch: its inputs made by their tiles' work, each input's class probability planes (planes × size × size)
 * handed back to it; returns each input's share of the run time.
 */
async function runBatch(
	session: ort.InferenceSession,
	inputName: string,
	outputName: string,
	batch: Input[],
	works: MemberTile[],
): Promise<number> {
	const {channels, size} = batch[0];
	const plane = size * size;
	const input = reused(batchInputs, batch.length * channels * plane);
	batch.forEach((item, index) =>
		works[index].input(item.index, input.subarray(index * channels * plane, (index + 1) * channels * plane)),
	);
	const started = performance.now();
	const outputs = await inTurn(init.turn, () =>
		session.run({[inputName]: new ort.Tensor('float32', input, [batch.length, channels, size, size])}),
	);
	const ms = (performance.now() - started) / batch.length;
	const output = outputs[outputName];
	try {
		const [, outChannels, height, width] = output.dims;
		if (height !== size || width !== size)
			throw new Error(`the model returned ${height}×${width} for a ${size}×${size} input`);
		const values = output.data as Float32Array;
		const broken = nonFiniteCount(values);
		if (broken > 0)
			throw new Error(
				`the model returned NaN or infinite values (${broken} of ${values.length}); its weights or its input normalisation (standardization_mean, standardization_std) are broken`,
			);
		const planes = reused(classPlaneBuffers, init.planes * plane);
		batch.forEach((item, index) =>
			works[index].output(item.index, classPlanes(values, index, outChannels, plane, init.planes, init.output, planes)),
		);
		return ms;
	} finally {
		output.dispose();
	}
}

async function shutdown(session: ort.InferenceSession): Promise<void> {
	await inTurn(init.turn, () => session.release());
	post({type: 'closed'});
	port.close();
}

await createSession();
