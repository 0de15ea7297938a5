/**
 * One model's share of a tile, done in that model's worker: the model-size inputs made from the tile, and
 * the class probability planes at the output size made from the model's outputs for them.
 */
import {inputPlanes, resizedInputPlanes, type DsmImage, type RgbImage} from './preprocess.js';
import type {InputSpec, TileRequest} from './protocol.js';
import {resizeNearest} from '../geo/resize-nearest.js';
import {resizePlanes} from './resample.js';
import {tileImages} from './shared-tile.js';
import {Blender, gridWindows, windowGrid, type Rect, type Window} from './windows.js';

export type MemberTile = {
	/** How many model-size inputs the tile makes. */
	inputs: number;
	/**
	 * Writes input `index` (C × size × size) into `into`: made when its batch is taken, into the worker's batch
	 * buffer, so that a tile leaves no input-sized garbage behind.
	 */
	input(index: number, into: Float32Array): void;
	/** Takes the model's planes × size × size probabilities for input `index`, in index order; `planes` may be reused after. */
	output(index: number, planes: Float32Array): void;
	/** The tile's planes × outHeight × outWidth probabilities, once every output is in. */
	finish(): Float32Array;
};

type Images = {rgb: RgbImage; dsm?: DsmImage; outside?: Uint8Array; missing?: Uint8Array};

export function memberTile(spec: InputSpec, request: TileRequest, planes = 1): MemberTile {
	const {width, height, size, outWidth, outHeight, overlap} = request;
	const images = tileImages(request.tile, request);

	if (overlap === undefined) {
		// The whole tile resized to the model's tile size; the probabilities resized back to the output size.
		const whole = {x: 0, y: 0, width, height};
		let probability: Float32Array | undefined;
		return {
			inputs: 1,
			input: (_, into) => resizedInputPlanes(spec, images.rgb, images.dsm, size, into),
			output: (_, output) => {
				const resized = resizePlanes(output, planes, size, size, outWidth, outHeight);
				probability = zeroNodata(resized === output ? output.slice() : resized, images, whole, outWidth, outHeight);
			},
			finish: () => probability!,
		};
	}
	// The windows of the area's grid that reach into the tile, each preprocessed on its own as the model was trained
	// (the nDSM's ground is the window's), blended over the tile at its own resolution, then resized to the output size.
	const tile = request.context?.tile ?? {x: 0, y: 0, width, height};
	const origin = request.context?.origin ?? {x: 0, y: 0};
	const onGrid = {x: origin.x + tile.x, y: origin.y + tile.y, width: tile.width, height: tile.height};
	const windows = gridWindows(windowGrid(size, overlap), onGrid).map((window) => ({
		x: window.x - origin.x,
		y: window.y - origin.y,
	}));
	const blender = new Blender(tile.width, tile.height, size, planes);
	return {
		inputs: windows.length,
		input: (index, into) => inputPlanes(spec, ...windowImages(images, windows[index], size), into),
		// In index order, so that the blended sums are added in the same order whatever the batches.
		output: (index, output) => blender.add({x: windows[index].x - tile.x, y: windows[index].y - tile.y}, output),
		finish: () => {
			const probability = resizePlanes(blender.result(), planes, tile.width, tile.height, outWidth, outHeight);
			return zeroNodata(probability, images, tile, outWidth, outHeight);
		},
	};
}

/**
 * The size × size window of the image at `window` (image pixels): pixels past the image's edges or outside the
 * area are missing in both rasters, so that the model sees 0 (the band's mean) there and the nDSM's ground
 * leaves them out.
 */
function windowImages(images: Images, window: Window, size: number): [RgbImage, DsmImage | undefined] {
	const {rgb, dsm, outside} = images;
	const data = new Uint8Array(size * size * 3);
	const nodata = new Uint8Array(size * size).fill(1);
	const heights = dsm && new Float32Array(size * size).fill(Number.NaN);
	const y0 = Math.max(0, -window.y);
	const y1 = Math.min(size, rgb.height - window.y);
	const x0 = Math.max(0, -window.x);
	const x1 = Math.min(size, rgb.width - window.x);
	for (let y = y0; y < y1; y++) {
		for (let x = x0; x < x1; x++) {
			const from = (window.y + y) * rgb.width + window.x + x;
			if (outside?.[from]) continue;
			const to = y * size + x;
			data[to * 3] = rgb.data[from * 3];
			data[to * 3 + 1] = rgb.data[from * 3 + 1];
			data[to * 3 + 2] = rgb.data[from * 3 + 2];
			nodata[to] = rgb.nodata?.[from] ?? 0;
			if (heights) heights[to] = dsm!.data[from];
		}
	}
	return [
		{data, width: size, height: size, nodata},
		heights && {data: heights, width: size, height: size, nodata: dsm!.nodata},
	];
}

/** The image's 0/1 mask cut to the rectangle. */
function crop(mask: Uint8Array, width: number, rect: Rect): Uint8Array {
	if (rect.x === 0 && rect.y === 0 && rect.width === width && mask.length === width * rect.height) return mask;
	const out = new Uint8Array(rect.width * rect.height);
	for (let y = 0; y < rect.height; y++) {
		const from = (rect.y + y) * width + rect.x;
		out.set(mask.subarray(from, from + rect.width), y * rect.width);
	}
	return out;
}

/** Probability 0 in every plane where the RGB or the DSM has no data. */
function zeroNodata(
	probability: Float32Array,
	images: Images,
	tile: Rect,
	outWidth: number,
	outHeight: number,
): Float32Array {
	const {rgb, missing} = images;
	if (missing) {
		const atOutput = resizeNearest(crop(missing, rgb.width, tile), tile, {width: outWidth, height: outHeight});
		for (let offset = 0; offset < probability.length; offset += atOutput.length) {
			for (let i = 0; i < atOutput.length; i++) if (atOutput[i]) probability[offset + i] = 0;
		}
	}
	return probability;
}
