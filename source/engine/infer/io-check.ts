import {UserError} from '../../errors.js';
import type {ModelSpec} from './metadata.js';

/** What onnxruntime says about one input or output (InferenceSession.inputMetadata / outputMetadata). */
export type ValueInfo = {name: string; isTensor: boolean; type?: string; shape?: ReadonlyArray<number | string>};

export type ResolvedIo = {inputName: string; outputName: string; tileSize: number; outputChannels: number};

/**
 * Check the session's real input and output against the spec: one float32 NCHW input whose channel count
 * equals the bands, square spatial size (static sizes must equal tile_size), and an output of one channel per
 * class (N×C×H×W), or of one channel (N×1×H×W, the foreground) for a binary model.
 */
export function checkSessionIo(spec: ModelSpec, inputs: ValueInfo[], outputs: ValueInfo[]): ResolvedIo {
	const where = spec.sidecar ? `${spec.path} (with ${spec.sidecar})` : spec.path;
	const fail = (problem: string, fix: string) => new UserError(`${where}: ${problem}. ${fix}`);
	if (inputs.length !== 1)
		throw fail(`the model has ${inputs.length} inputs`, 'deepmask runs models with a single N×C×H×W image input.');
	const input = inputs[0];
	if (!input.isTensor || input.type !== 'float32' || input.shape?.length !== 4) {
		throw fail(
			`input "${input.name}" is not a 4-D float32 tensor (${input.type ?? 'non-tensor'} ${JSON.stringify(input.shape ?? [])})`,
			'Export the model with a float32 N×C×H×W input.',
		);
	}
	const [, channels, height, width] = input.shape;
	if (typeof channels === 'number' && channels !== spec.bands.length) {
		throw fail(
			`the model takes ${channels} channels but its bands are ${JSON.stringify(spec.bands)} (${spec.bands.length})`,
			`Set deepmask_bands to ${channels} bands (e.g. ${channels === 4 ? '["R","G","B","DSM"]' : '["R","G","B"]'}) in the metadata or the sidecar.`,
		);
	}
	const staticSizes = [height, width].filter((value): value is number => typeof value === 'number');
	if (staticSizes.length === 2 && height !== width)
		throw fail(
			`the input is not square (${height}×${width})`,
			'deepmask needs square tiles; export with a square or dynamic input size.',
		);
	if (spec.tileSize !== undefined && staticSizes.some((size) => size !== spec.tileSize)) {
		throw fail(
			`tile_size is ${spec.tileSize} but the model's input is fixed at ${staticSizes.join('×')}`,
			'Make tile_size match the input size.',
		);
	}
	const tileSize = spec.tileSize ?? staticSizes[0];
	if (tileSize === undefined)
		throw fail(
			'no tile_size in the metadata and the input size is dynamic',
			'Add "tile_size" (e.g. 256) to the metadata or the sidecar.',
		);
	if (outputs.length < 1) throw fail('the model has no output', 'Export the model with its mask output.');
	const output = outputs[0];
	const classes = Object.keys(spec.classNames).length;
	if (!output.isTensor || output.type !== 'float32' || output.shape?.length !== 4) {
		throw fail(
			`output "${output.name}" is not a 4-D float32 tensor (${JSON.stringify(output.shape ?? [])})`,
			classes === 2
				? 'deepmask expects an N×1×H×W (sigmoid) or N×2×H×W (softmax) output.'
				: `deepmask expects an N×${classes}×H×W output, one channel per class (softmax).`,
		);
	}
	const outChannels = output.shape[1];
	const accepted = classes === 2 ? [1, 2] : [classes];
	if (typeof outChannels === 'number' && !accepted.includes(outChannels)) {
		throw fail(
			`the output has ${outChannels} channels for ${classes} classes`,
			`Export an ${accepted.map((c) => `N×${c}×H×W`).join(' or ')} output, or fix class_names.`,
		);
	}
	return {
		inputName: input.name,
		outputName: output.name,
		tileSize,
		outputChannels: typeof outChannels === 'number' ? outChannels : 1,
	};
}

/** Every member of an ensemble must segment the same classes, or averaging their probabilities means nothing. */
export function checkSameClasses(specs: Pick<ModelSpec, 'path' | 'classNames'>[]): void {
	const key = (spec: Pick<ModelSpec, 'classNames'>) =>
		JSON.stringify(Object.entries(spec.classNames).sort(([a], [b]) => Number(a) - Number(b)));
	const first = specs[0];
	for (const spec of specs.slice(1)) {
		if (key(spec) !== key(first)) {
			throw new UserError(
				`the models disagree on classes: ${first.path} has ${JSON.stringify(first.classNames)}, ${spec.path} has ${JSON.stringify(spec.classNames)}. ` +
					'An ensemble averages the same classes: run them separately or fix class_names (a sidecar <model>.json can override it).',
			);
		}
	}
}
