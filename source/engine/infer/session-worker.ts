/**
 * One model's InferenceSession, alive for the whole run, in its own thread: session.run() blocks the
 * thread it runs on. Requests of the same shape that queue up while a batch runs form the next batch.
 */
import {parentPort, workerData} from 'node:worker_threads';
import ort from 'onnxruntime-node';
import type {FromWorker, ToWorker, WorkerInit} from './protocol.js';

const init = workerData as WorkerInit;
// The native "failed to load library" line of a CUDA attempt would land on the terminal; the failure is reported instead.
ort.env.logLevel = 'fatal';
const port = parentPort!;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

type Request = Extract<ToWorker, {type: 'run'}>;

async function createSession(): Promise<void> {
	const failures: Array<{provider: string; message: string}> = [];
	for (const provider of init.providers) {
		try {
			const session = await ort.InferenceSession.create(init.modelPath, {
				executionProviders: [provider],
				intraOpNumThreads: init.intraOpThreads,
				interOpNumThreads: 1,
				graphOptimizationLevel: 'all',
				// Batches vary in size (the last ones are partial); with the arena and memory pattern on, every new
				// shape grows the session's memory for good (onnxruntime#11118), so a long run would not stay flat.
				enableMemPattern: false,
				enableCpuMemArena: false,
			});
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
			failures.push({provider, message: error instanceof Error ? error.message : String(error)});
		}
	}
	post({type: 'init-error', failures});
	port.close();
}

function toValueInfo(meta: ort.InferenceSession.ValueMetadata) {
	return meta.isTensor ? {name: meta.name, isTensor: true, type: meta.type, shape: [...meta.shape]} : {name: meta.name, isTensor: false};
}

function serve(session: ort.InferenceSession): void {
	const inputName = session.inputNames[0];
	const outputName = session.outputNames[0];
	const queue: Request[] = [];
	let running = false;
	let closing = false;

	const drain = async () => {
		if (running) return;
		running = true;
		while (queue.length > 0) {
			const first = queue[0];
			const batch = takeBatch(queue, first);
			try {
				await runBatch(session, inputName, outputName, batch);
			} catch (error) {
				post({type: 'run-error', ids: batch.map((request) => request.id), message: error instanceof Error ? error.message : String(error)});
			}
			// Let messages that arrived during the run join the queue before the next batch is taken.
			await new Promise((resolve) => setImmediate(resolve));
		}
		running = false;
		if (closing) await shutdown(session);
	};

	port.on('message', (message: ToWorker) => {
		if (message.type === 'close') {
			closing = true;
			if (message.discard) queue.length = 0;
			if (!running) void shutdown(session);
			return;
		}
		queue.push(message);
		void drain();
	});
}

function takeBatch(queue: Request[], first: Request): Request[] {
	const batch: Request[] = [];
	for (let i = 0; i < queue.length && batch.length < init.batchSize; ) {
		const request = queue[i];
		if (request.channels === first.channels && request.size === first.size) {
			batch.push(request);
			queue.splice(i, 1);
		} else {
			i++;
		}
	}
	return batch;
}

async function runBatch(session: ort.InferenceSession, inputName: string, outputName: string, batch: Request[]): Promise<void> {
	const {channels, size} = batch[0];
	const plane = size * size;
	const input = new Float32Array(batch.length * channels * plane);
	batch.forEach((request, index) => input.set(new Float32Array(request.data), index * channels * plane));
	const started = performance.now();
	const outputs = await session.run({[inputName]: new ort.Tensor('float32', input, [batch.length, channels, size, size])});
	const ms = (performance.now() - started) / batch.length;
	const output = outputs[outputName];
	const [, outChannels, height, width] = output.dims;
	if (height !== size || width !== size) throw new Error(`the model returned ${height}×${width} for a ${size}×${size} input`);
	const values = output.data as Float32Array;
	batch.forEach((request, index) => {
		const probability = foreground(values, index, outChannels, plane);
		post({type: 'result', id: request.id, data: probability.buffer as ArrayBuffer, ms, batch: batch.length}, [probability.buffer as ArrayBuffer]);
	});
	output.dispose();
}

/** Probability of class 1 for one batch item: sigmoid of a single logit channel, softmax over two. */
function foreground(values: Float32Array, index: number, channels: number, plane: number): Float32Array {
	const out = new Float32Array(plane);
	const base = index * channels * plane;
	const logits = init.output === 'logits';
	if (channels === 1) {
		for (let i = 0; i < plane; i++) out[i] = logits ? 1 / (1 + Math.exp(-values[base + i])) : values[base + i];
	} else {
		for (let i = 0; i < plane; i++) {
			const background = values[base + i];
			const object = values[base + plane + i];
			out[i] = logits ? 1 / (1 + Math.exp(background - object)) : object;
		}
	}
	return out;
}

async function shutdown(session: ort.InferenceSession): Promise<void> {
	await session.release();
	post({type: 'closed'});
	port.close();
}

await createSession();
