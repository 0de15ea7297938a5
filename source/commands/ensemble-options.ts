import {Option} from 'commander';
import {
	providerChoices,
	type EnsembleOptions,
	type InferEvent,
	type InferMode,
	type Provider,
} from '../engine/infer/types.js';
import {parseNumber} from './parse-number.js';

/** The flags of `ensembleOptions()`, as commander hands them to the action. */
export type EnsembleFlagValues = {
	models: string[];
	mode: InferMode;
	threshold?: string;
	overlap?: string;
	provider: Provider;
	batchSize?: string;
	threads?: string;
};

/** Model and provider lines for stderr. */
function logInferEvent(event: InferEvent): void {
	if (event.type === 'model-ready') {
		process.stderr.write(`model ${event.model}: ${event.provider}${event.reason ? ` (${event.reason})` : ''}\n`);
	}
}

/** The flags every command that runs an ensemble takes (infer, eval); each adds its own --threshold. */
export function ensembleOptions(): Option[] {
	return [
		new Option('--models <paths...>', '.onnx files or folders of them (e.g. models/demo)').makeOptionMandatory(),
		new Option('--mode <mode>', 'resize: each image resized to the model tile; sliding: windows at native resolution')
			.choices(['resize', 'sliding'])
			.default('resize'),
		new Option('--overlap <percent>', "sliding-window overlap (default: each model's tiles_overlap)"),
		new Option('--provider <provider>', 'execution provider').choices(providerChoices).default('auto'),
		new Option('--batch-size <n>', 'tiles per session run (default: 1 on the CPU, 4 on CUDA)'),
		new Option('--threads <n>', 'onnxruntime threads per model (default: cores shared among the models)'),
	];
}

/** The ensemble flags, checked, as the options of an ensemble run, with model lines on stderr. */
export function ensembleSettings(values: EnsembleFlagValues): EnsembleOptions & {threshold?: number} {
	return {
		models: values.models,
		threshold: parseNumber('--threshold', values.threshold, 0, 1),
		mode: values.mode,
		overlap: parseNumber('--overlap', values.overlap, 0, 90),
		provider: values.provider,
		batchSize: parseNumber('--batch-size', values.batchSize, 1, 256, true),
		threadsPerModel: parseNumber('--threads', values.threads, 1, 256, true),
		onEvent: logInferEvent,
	};
}
