import {Option, type Command} from 'commander';
import {UserError} from '../errors.js';
import {inferFolder} from '../app/infer-folder.js';
import type {InferEvent, InferMode, Provider} from '../engine/infer/types.js';

type InferOptions = {
	models: string[];
	input: string;
	out: string;
	dsm?: string;
	size?: string;
	mode: InferMode;
	threshold?: string;
	overlap?: string;
	probabilities?: boolean;
	provider: Provider;
	batchSize?: string;
	threads?: string;
};

export function parseSize(text: string): {width: number; height: number} {
	const match = /^(\d+)x(\d+)$/i.exec(text.trim());
	const width = Number(match?.[1]);
	const height = Number(match?.[2]);
	if (!match || width < 1 || height < 1) throw new UserError(`--size ${text}: give the output size as WIDTHxHEIGHT, e.g. 512x512.`);
	return {width, height};
}

export function parseNumber(flag: string, text: string | undefined, min: number, max: number, integer = false): number | undefined {
	if (text === undefined) return undefined;
	const value = Number(text);
	if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
		throw new UserError(`${flag} ${text}: give ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}.`);
	}
	return value;
}

/** Model and provider lines for stderr, shared by infer and eval. */
export function logInferEvent(event: InferEvent): void {
	if (event.type === 'model-ready') {
		process.stderr.write(`model ${event.model}: ${event.provider}${event.reason ? ` (${event.reason})` : ''}\n`);
	}
}

export function ensembleOptions() {
	return [
		new Option('--models <paths...>', '.onnx files or folders of them (e.g. models/demo)').makeOptionMandatory(),
		new Option('--mode <mode>', 'resize: each image resized to the model tile; sliding: windows at native resolution').choices(['resize', 'sliding']).default('resize'),
		new Option('--overlap <percent>', 'sliding-window overlap (default: each model\'s tiles_overlap)'),
		new Option('--provider <provider>', 'execution provider').choices(['auto', 'cpu', 'cuda']).default('auto'),
		new Option('--batch-size <n>', 'tiles per session run (default: 1 on the CPU, 4 on CUDA)'),
		new Option('--threads <n>', 'onnxruntime threads per model (default: cores shared among the models)'),
	];
}

export function register(program: Command): void {
	const command = program
		.command('infer')
		.description('masks for a folder of images (PNG, JPEG, TIFF, GeoTIFF) with an ensemble of ONNX models')
		.requiredOption('--input <dir>', 'folder of input images')
		.requiredOption('--out <dir>', 'output folder: masks/<name>.png (0/255) or masks/<name>.tif (GeoTIFF 0/1 for GeoTIFF input)')
		.option('--dsm <dir>', 'folder of DSM GeoTIFFs named like the images (for models with a DSM band)')
		.option('--size <WxH>', 'mask size (default: each input image\'s size)')
		.option('--threshold <t>', 'probability threshold 0–1 (default: the models\' mean seg_thresh)')
		.option('--probabilities', 'also write the ensemble probability (0–255) to prob/');
	for (const option of ensembleOptions()) command.addOption(option);
	command
		.addHelpText('after', '\nExample:\n  deepmask infer --models models/demo --input tiles/rgb --dsm tiles/dsm --out /tmp/masks --mode sliding')
		.action(async (options: InferOptions) => {
			const started = performance.now();
			const result = await inferFolder({
				models: options.models,
				input: options.input,
				out: options.out,
				dsm: options.dsm,
				size: options.size === undefined ? undefined : parseSize(options.size),
				mode: options.mode,
				threshold: parseNumber('--threshold', options.threshold, 0, 1),
				overlap: parseNumber('--overlap', options.overlap, 0, 90),
				probabilities: options.probabilities,
				provider: options.provider,
				batchSize: parseNumber('--batch-size', options.batchSize, 1, 256, true),
				threadsPerModel: parseNumber('--threads', options.threads, 1, 256, true),
				onEvent: logInferEvent,
				onFile: (file) => process.stderr.write(`${file.mask}  ${(file.foreground * 100).toFixed(1)}% foreground\n`),
			});
			const seconds = (performance.now() - started) / 1000;
			process.stdout.write(
				`${result.files.length} masks in ${options.out} (threshold ${result.threshold.toFixed(2)}, ${result.models.length} models, ${seconds.toFixed(1)} s)\n`,
			);
		});
}
