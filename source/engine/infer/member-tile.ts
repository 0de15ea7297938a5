/**
 * One model's share of a tile, done in that model's worker: the model-size inputs made from the tile, and
 * the class probability planes at the output size made from the model's outputs for them.
 */
import {eitherNodata, inputPlanes, nodataMask, type DsmImage, type RgbImage} from './preprocess.js';
import type {InputSpec, TileRequest} from './protocol.js';
import {resizeNearest} from '../geo/resize-nearest.js';
import {resizePlane, resizePlanes} from './resample.js';
import {tileImages} from './shared-tile.js';
import {Blender, cutWindow, windowsFor} from './windows.js';

export type MemberTile = {
	/** C × size × size inputs for the model. */
	inputs: Float32Array[];
	/** The tile's planes × outHeight × outWidth probabilities from the model's planes × size × size ones, one per input. */
	finish(outputs: Float32Array[]): Float32Array;
};

export function memberTile(spec: InputSpec, request: TileRequest, planes = 1): MemberTile {
	const {width, height, size, outWidth, outHeight, overlap} = request;
	const {rgb, dsm} = tileImages(request.tile, request);
	const input = inputPlanes(spec, rgb, dsm);
	const channels = spec.bands.length;
	const toOutput = (probability: Float32Array, fromWidth: number, fromHeight: number) =>
		zeroNodata(
			resizePlanes(probability, planes, fromWidth, fromHeight, outWidth, outHeight),
			rgb,
			dsm,
			outWidth,
			outHeight,
		);

	if (overlap === undefined) {
		// The whole tile resized to the model's tile size; the probabilities resized back to the output size.
		const tensor = new Float32Array(channels * size * size);
		for (let c = 0; c < channels; c++) {
			const plane = input.subarray(c * width * height, (c + 1) * width * height);
			tensor.set(resizePlane(plane, width, height, size, size), c * size * size);
		}
		return {inputs: [tensor], finish: ([probability]) => toOutput(probability, size, size)};
	}
	// Windows of the model's tile size at the tile's own resolution, blended, then resized to the output size.
	const windows = windowsFor(width, height, size, overlap);
	return {
		inputs: windows.map((window) => cutWindow(input, channels, width, height, window, size)),
		finish: (outputs) => {
			const blender = new Blender(width, height, size, planes);
			outputs.forEach((probability, index) => blender.add(windows[index], probability));
			return toOutput(blender.result(), width, height);
		},
	};
}

/** Probability 0 in every plane where the RGB or the DSM has no data. */
function zeroNodata(
	probability: Float32Array,
	rgb: RgbImage,
	dsm: DsmImage | undefined,
	outWidth: number,
	outHeight: number,
): Float32Array {
	const missing = eitherNodata(rgb.nodata, dsm && nodataMask(dsm));
	if (missing) {
		const atOutput = resizeNearest(missing, rgb, {width: outWidth, height: outHeight});
		for (let offset = 0; offset < probability.length; offset += atOutput.length) {
			for (let i = 0; i < atOutput.length; i++) if (atOutput[i]) probability[offset + i] = 0;
		}
	}
	return probability;
}
