/**
 * One model's share of a tile, done in that model's worker: the model-size inputs made from the tile, and
 * the class probability planes at the output size made from the model's outputs for them.
 */
import {inputPlanes, resizedInputPlanes, rgbInputSpec, type DsmImage, type RgbImage} from './preprocess.js';
import type {InputSpec, TileRequest} from './protocol.js';
import {resizeNearest} from '../geo/resize-nearest.js';
import {resizePlanes} from './resample.js';
import {sharedPlanes} from './shared-planes.js';
import {tileImages} from './shared-tile.js';
import type {WindowCache} from './window-cache.js';
import {Blender, gridWindows, windowGrid, type Rect, type Window} from './windows.js';

export type MemberTile = {
	/** How many model-size inputs the tile makes. */
	inputs: number;
	/** Sliding mode: the windows the tile infers itself (not those other tiles of the area inferred for it); else 0. */
	windows: number;
	/**
	 * Writes input `index` (C × size × size) into `into`: made when its batch is taken, into the worker's batch
	 * buffer, so that a tile leaves no input-sized garbage behind.
	 */
	input(index: number, into: Float32Array): void;
	/** Takes the model's planes × size × size probabilities for input `index`, in index order; `planes` may be reused after. */
	output(index: number, planes: Float32Array): void;
	/**
	 * Blends the windows that have come in (its own, and those other tiles inferred for it), in window order; true once
	 * every output is in. Throws the error of a window that failed in another tile.
	 */
	advance(): boolean;
	/** The tile gives up (it failed, or the run stops): the windows it was to infer fail for the tiles waiting for them. */
	abandon(error: Error): void;
	/** The tile's planes × outHeight × outWidth probabilities (in the request's `into` when it has one), once every output is in. */
	finish(): Float32Array;
};

type Images = {rgb: RgbImage; dsm?: DsmImage; outside?: Uint8Array; missing?: Uint8Array};

/**
 * The tile's R, G and B planes at the model size from the slot the ensemble gave the members that make them alike
 * (made by the first of them to ask, see shared-planes.ts); undefined without one.
 */
function rgbPlanesOf(request: TileRequest, spec: InputSpec, images: Images): (() => Float32Array) | undefined {
	const slot = request.rgbPlanes;
	const rgbSpec = rgbInputSpec(spec);
	if (!slot || !rgbSpec) return undefined;
	const {size} = request;
	return () =>
		sharedPlanes(slot.buffer, slot.offset, 3 * size * size, (planes) =>
			resizedInputPlanes(rgbSpec, images.rgb, undefined, size, planes),
		);
}

/**
 * `cache`: the worker's windows, shared by the tiles of one area (used only for a tile with an area context: a
 * tile without one is an image of its own).
 */
export function memberTile(spec: InputSpec, request: TileRequest, planes = 1, cache?: WindowCache): MemberTile {
	const {width, height, size, outWidth, outHeight, overlap} = request;
	const images = tileImages(request.tile, request);
	const lent = request.into && new Float32Array(request.into);

	if (overlap === undefined) {
		// The whole tile resized to the model's tile size; the probabilities resized back to the output size.
		const whole = {x: 0, y: 0, width, height};
		let probability: Float32Array | undefined;
		return {
			inputs: 1,
			windows: 0,
			input: (_, into) =>
				resizedInputPlanes(spec, images.rgb, images.dsm, size, into, rgbPlanesOf(request, spec, images)),
			output: (_, output) => {
				// `output` is the worker's buffer, used again for the next batch: the planes must not stay in it.
				const resized = resizePlanes(output, planes, size, size, outWidth, outHeight, lent);
				probability = zeroNodata(resized === output ? output.slice() : resized, images, whole, outWidth, outHeight);
			},
			advance: () => probability !== undefined,
			abandon: () => {},
			finish: () => probability!,
		};
	}
	// The windows of the area's grid that reach into the tile, each preprocessed on its own as the model was trained
	// (the nDSM's ground is the window's), blended over the tile at its own resolution, then resized to the output size.
	const tile = request.context?.tile ?? {x: 0, y: 0, width, height};
	const origin = request.context?.origin ?? {x: 0, y: 0};
	const onGrid = {x: origin.x + tile.x, y: origin.y + tile.y, width: tile.width, height: tile.height};
	const onArea = gridWindows(windowGrid(size, overlap), onGrid);
	const windows = onArea.map((window) => ({x: window.x - origin.x, y: window.y - origin.y}));
	const blender = new Blender(tile.width, tile.height, size, planes);
	// In window order, so that the blended sums are added in the same order whatever the batches.
	let next = 0;
	const blend = (output: Float32Array) => {
		blender.add({x: windows[next].x - tile.x, y: windows[next].y - tile.y}, output);
		next++;
	};
	const finish = () => {
		const probability = resizePlanes(blender.result(), planes, tile.width, tile.height, outWidth, outHeight, lent);
		return zeroNodata(probability, images, tile, outWidth, outHeight);
	};
	const inputOf = (window: Window, into: Float32Array) =>
		inputPlanes(spec, ...windowImages(images, window, size), into);

	if (!cache || !request.context) {
		return {
			inputs: windows.length,
			windows: windows.length,
			input: (index, into) => inputOf(windows[index], into),
			output: (_, output) => blend(output),
			advance: () => next === windows.length,
			abandon: () => {},
			finish,
		};
	}
	// Each window of the area once: the tile infers those no tile took before and waits for the others.
	const tileKey = `${onGrid.x},${onGrid.y}`;
	const taken = windows.map((window, index) =>
		cache.take(
			`${size}/${overlap}/${onArea[index].x},${onArea[index].y}`,
			tileKey,
			overlapArea(window, size, tile),
			() => insidePixels(images, window, size),
		),
	);
	const shared = taken.map(({window}) => window);
	const own = taken.flatMap(({infer}, index) => (infer ? [index] : []));
	return {
		inputs: own.length,
		windows: own.length,
		input: (index, into) => inputOf(windows[own[index]], into),
		output: (index, output) => cache.store(shared[own[index]], output),
		advance: () => {
			for (; next < shared.length;) {
				const window = shared[next];
				if (window.failed) throw window.failed;
				if (!window.output) return false;
				blend(window.output);
				cache.release(window);
			}
			return true;
		},
		abandon: (error) => {
			for (const index of own) if (index >= next && !shared[index].output) cache.fail(shared[index], error);
			for (; next < shared.length; next++) cache.release(shared[next]);
		},
		finish,
	};
}

/** The pixels a size × size window at `window` shares with the rectangle. */
function overlapArea(window: Window, size: number, rect: Rect): number {
	const across = Math.min(window.x + size, rect.x + rect.width) - Math.max(window.x, rect.x);
	const down = Math.min(window.y + size, rect.y + rect.height) - Math.max(window.y, rect.y);
	return Math.max(0, across) * Math.max(0, down);
}

/** The window's pixels inside the area: in the image, and not outside the area. */
function insidePixels(images: Images, window: Window, size: number): number {
	const {rgb, outside} = images;
	const whole = {x: 0, y: 0, width: rgb.width, height: rgb.height};
	if (!outside) return overlapArea(window, size, whole);
	let inside = 0;
	for (let y = Math.max(0, window.y); y < Math.min(rgb.height, window.y + size); y++)
		for (let x = Math.max(0, window.x); x < Math.min(rgb.width, window.x + size); x++)
			if (!outside[y * rgb.width + x]) inside++;
	return inside;
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
