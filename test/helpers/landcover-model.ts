/**
 * A four-class stand-in for a land-cover model, written as an ONNX file: a 1×1 convolution with fixed weights
 * whose logits make red-dominated pixels building, dark ones road, green-dominated ones tree and the rest
 * background. It is no model of the demo town, only one whose masks hold all four classes there.
 */
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {FLOAT, tensorInfo, writeOnnxModel} from './onnx-model.js';

export const landcoverClasses = {'0': 'background', '1': 'building', '2': 'road', '3': 'tree'};

/** Rows: the logit of each class as weights on R, G, B (scaled 0..1) plus a bias. */
const logits: Array<{weights: [number, number, number]; bias: number}> = [
	{weights: [0, 0, 0], bias: 0},
	{weights: [16, -8, -8], bias: 0.3},
	{weights: [-4, -4, -4], bias: 4.5},
	{weights: [-8, 16, -8], bias: 0.3},
];

/** Writes `<dir>/<name>.onnx` (N×3×tile×tile in, N×4×tile×tile logits out) and its sidecar; returns the model's path. */
export function writeLandcoverModel(
	dir: string,
	name = 'landcover',
	sidecar: Record<string, unknown> = {},
	tileSize = 128,
): string {
	const file = path.join(dir, `${name}.onnx`);
	writeOnnxModel(file, {
		name,
		node: [{opType: 'Conv', input: ['x', 'w', 'b'], output: ['y'], name: 'classes'}],
		initializer: [
			{name: 'w', dataType: FLOAT, dims: [4, 3, 1, 1], floatData: logits.flatMap((row) => row.weights)},
			{name: 'b', dataType: FLOAT, dims: [4], floatData: logits.map((row) => row.bias)},
		],
		input: [tensorInfo('x', ['n', 3, tileSize, tileSize])],
		output: [tensorInfo('y', ['n', 4, tileSize, tileSize])],
	});
	writeFileSync(
		path.join(dir, `${name}.json`),
		JSON.stringify({
			model_type: 'Segmentor',
			class_names: landcoverClasses,
			tile_size: tileSize,
			deepmask_bands: ['R', 'G', 'B'],
			standardization_mean: [0],
			standardization_std: [1],
			deepmask_output: 'logits',
			seg_thresh: 0.4,
			...sidecar,
		}),
	);
	return file;
}
