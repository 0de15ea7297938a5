/**
 * Broken segmentation models for the fault suite, written as ONNX files: each loads and passes the
 * input/output checks (float32 N×3×128×128 in, N×1×H×W out) but misbehaves when it runs, as a badly
 * exported model does.
 */
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {FLOAT, tensorInfo, writeOnnxModel} from '../helpers/onnx-model.js';

const INT64 = 7;
const ATTRIBUTE_INTS = 7;
const ATTRIBUTE_INT = 2;

export type BrokenModel =
	/** Multiplies the mean of the bands by NaN: every probability is NaN. */
	| 'nan'
	/** Multiplies it by −5: "probabilities" far below 0. */
	| 'negative'
	/** A Reshape to [1, 7] that fails at run time. */
	| 'reshape'
	/** Max-pools 2×2: an output of half the input's size. */
	| 'half-size';

function graphOf(kind: BrokenModel) {
	const mean = {
		opType: 'ReduceMean',
		input: ['x'],
		output: ['mean'],
		name: 'mean',
		attribute: [
			{name: 'axes', ints: [1], type: ATTRIBUTE_INTS},
			{name: 'keepdims', i: 1, type: ATTRIBUTE_INT},
		],
	};
	switch (kind) {
		case 'nan':
		case 'negative':
			return {
				node: [mean, {opType: 'Mul', input: ['mean', 'factor'], output: ['y'], name: 'scale'}],
				initializer: [{name: 'factor', dataType: FLOAT, dims: [], floatData: [kind === 'nan' ? Number.NaN : -5]}],
			};
		case 'reshape':
			return {
				node: [mean, {opType: 'Reshape', input: ['mean', 'shape'], output: ['y'], name: 'reshape'}],
				initializer: [{name: 'shape', dataType: INT64, dims: [4], int64Data: [1, 1, 7, -1]}],
			};
		case 'half-size':
			return {
				node: [
					mean,
					{
						opType: 'MaxPool',
						input: ['mean'],
						output: ['y'],
						name: 'pool',
						attribute: [
							{name: 'kernel_shape', ints: [2, 2], type: ATTRIBUTE_INTS},
							{name: 'strides', ints: [2, 2], type: ATTRIBUTE_INTS},
						],
					},
				],
				initializer: [],
			};
	}
}

/** Writes `<dir>/<kind>.onnx` with a sidecar (default tile_size 128, RGB); returns the model's path. */
export function writeBrokenModel(
	dir: string,
	kind: BrokenModel,
	sidecar = JSON.stringify({tile_size: 128, deepmask_bands: ['R', 'G', 'B']}),
): string {
	const file = path.join(dir, `${kind}.onnx`);
	writeOnnxModel(file, {
		name: kind,
		...graphOf(kind),
		input: [tensorInfo('x', ['n', 3, 128, 128])],
		output: [tensorInfo('y', ['n', 1, 'h', 'w'])],
	});
	writeFileSync(path.join(dir, `${kind}.json`), sidecar);
	return file;
}
