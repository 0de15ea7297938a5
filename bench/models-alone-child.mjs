/**
 * The models alone, for the infer figure (plain JavaScript, so the process loads nothing but onnxruntime):
 * `node models-alone-child.mjs COUNT MODEL:CHANNELS:SIZE ...` loads each model in onnxruntime-node, warms it
 * up and runs it on COUNT random CHANNELS × SIZE² tensors (one session per model, all running at once, the
 * cores split between them as deepmask splits them; no decode, resize or write). Prints
 * {seconds, peakRssMb} as JSON; seconds is the whole process, from its start to the last output. The provider is
 * DEEPMASK_BENCH_PROVIDER's (cpu when unset).
 */
import {availableParallelism} from 'node:os';
import {performance} from 'node:perf_hooks';
import process from 'node:process';
import ort from 'onnxruntime-node';

const [countText, ...models] = process.argv.slice(2);
const count = Number(countText);
const threads = Math.max(1, Math.floor(availableParallelism() / models.length));
const provider = process.env.DEEPMASK_BENCH_PROVIDER ?? 'cpu';
const executionProviders = provider === 'auto' ? ['cuda', 'cpu'] : [provider];

await Promise.all(
	models.map(async (model) => {
		const [file, channels, size] = model.split(':');
		const session = await ort.InferenceSession.create(file, {
			executionProviders,
			intraOpNumThreads: threads,
			interOpNumThreads: 1,
			graphOptimizationLevel: 'all',
		});
		const data = new Float32Array(Number(channels) * Number(size) ** 2);
		for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1;
		const input = new ort.Tensor('float32', data, [1, Number(channels), Number(size), Number(size)]);
		// Run 0 is the warm-up.
		for (let run = 0; run <= count; run++) {
			const outputs = await session.run({[session.inputNames[0]]: input});
			for (const output of Object.values(outputs)) output.dispose();
		}
	}),
);
process.stdout.write(
	`${JSON.stringify({seconds: performance.now() / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024})}\n`,
);
