/**
 * The models alone, for the infer figure (plain JavaScript, so the process loads nothing but onnxruntime):
 * `node models-alone-child.mjs COUNT MODEL:CHANNELS:SIZE ...` loads each model in onnxruntime-node in a worker
 * thread of its own, warms it up and runs it on COUNT random CHANNELS × SIZE² tensors, all models at once, the
 * cores split between them as deepmask splits them (no decode, resize or write). Worker threads, because
 * onnxruntime-node runs a session on the thread that calls run(): two sessions of one thread take turns, and the
 * models would have the cores of one model only. Prints {seconds, peakRssMb} as JSON; seconds is the whole
 * process, from its start to the last output. The provider is DEEPMASK_BENCH_PROVIDER's (cpu when unset); on
 * WebGPU the sessions take turns through deepmask's lock (built, in dist/), as its workers do, since two at once crash.
 */
import {availableParallelism} from 'node:os';
import {performance} from 'node:perf_hooks';
import process from 'node:process';
import {URL} from 'node:url';
import {Worker, isMainThread, parentPort, workerData} from 'node:worker_threads';
import ort from 'onnxruntime-node';
import {inTurn} from '../dist/engine/infer/turn.js';
import {peakRssMb} from './peak-rss.mjs';

const provider = process.env.DEEPMASK_BENCH_PROVIDER ?? 'cpu';

if (isMainThread) {
	const [count, ...models] = process.argv.slice(2);
	const threads = Math.max(1, Math.floor(availableParallelism() / models.length));
	const turn = provider === 'webgpu' ? new SharedArrayBuffer(4) : undefined;
	await Promise.all(
		models.map(
			(model) =>
				new Promise((resolve, reject) => {
					const worker = new Worker(new URL(import.meta.url), {
						workerData: {model, count: Number(count), threads, turn},
					});
					worker.once('message', resolve);
					worker.once('error', reject);
				}),
		),
	);
	process.stdout.write(`${JSON.stringify({seconds: performance.now() / 1000, peakRssMb: peakRssMb()})}\n`);
} else {
	const {model, count, threads, turn} = workerData;
	const [file, channels, size] = model.split(':');
	const session = await inTurn(turn, () =>
		ort.InferenceSession.create(file, {
			executionProviders: provider === 'auto' ? ['cuda', 'cpu'] : [provider],
			intraOpNumThreads: threads,
			interOpNumThreads: 1,
			graphOptimizationLevel: 'all',
		}),
	);
	const data = new Float32Array(Number(channels) * Number(size) ** 2);
	for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1;
	const input = new ort.Tensor('float32', data, [1, Number(channels), Number(size), Number(size)]);
	// Run 0 is the warm-up.
	for (let run = 0; run <= count; run++) {
		const outputs = await inTurn(turn, () => session.run({[session.inputNames[0]]: input}));
		for (const output of Object.values(outputs)) output.dispose();
	}
	await inTurn(turn, () => session.release());
	parentPort.postMessage('done');
}
