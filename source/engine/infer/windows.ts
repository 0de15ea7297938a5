/**
 * Sliding windows on one grid for the whole area: window starts at k·stride for every integer k (negative ones
 * too, so that pixels at the area's edge get the same overlap as interior ones), a smooth blending weight, and
 * the accumulator that stitches window predictions without seams. A tile cut from the area sees the same
 * windows as the whole area would, so tiled inference equals inference over the whole area as one image.
 */

/** A pixel rectangle; in global pixels (the area's origin at 0, 0) or in an image's own. */
export type Rect = {x: number; y: number; width: number; height: number};

/** One member's windows: size × size, starting at every multiple of stride on both axes. */
export type WindowGrid = {size: number; stride: number};

export type Window = {x: number; y: number};

export function windowGrid(size: number, overlap: number): WindowGrid {
	return {size, stride: Math.max(1, Math.round(size * (1 - overlap / 100)))};
}

/** The starts k·stride of the grid's windows that reach into [from, to). */
export function gridStarts(grid: WindowGrid, from: number, to: number): number[] {
	const first = Math.floor((from - grid.size) / grid.stride) + 1;
	const last = Math.ceil(to / grid.stride) - 1;
	const starts: number[] = [];
	for (let k = first; k <= last; k++) starts.push(k * grid.stride);
	return starts;
}

/** The grid's windows that reach into the rectangle, in the rectangle's coordinates. */
export function gridWindows(grid: WindowGrid, rect: Rect): Window[] {
	const xs = gridStarts(grid, rect.x, rect.x + rect.width);
	const ys = gridStarts(grid, rect.y, rect.y + rect.height);
	return ys.flatMap((y) => xs.map((x) => ({x, y})));
}

/** The pixels the windows of all grids that reach into the rectangle cover: the rectangle plus its context. */
export function contextRect(grids: WindowGrid[], rect: Rect): Rect {
	let left = rect.x;
	let top = rect.y;
	let right = rect.x + rect.width;
	let bottom = rect.y + rect.height;
	for (const grid of grids) {
		const xs = gridStarts(grid, rect.x, rect.x + rect.width);
		const ys = gridStarts(grid, rect.y, rect.y + rect.height);
		left = Math.min(left, xs[0]);
		top = Math.min(top, ys[0]);
		right = Math.max(right, xs.at(-1)! + grid.size);
		bottom = Math.max(bottom, ys.at(-1)! + grid.size);
	}
	return {x: left, y: top, width: right - left, height: bottom - top};
}

/**
 * How many of the grid's windows a raster inferred alone takes (starts 0, stride, …, the last flush with its
 * edge): the per-tile count without context, to report what the context costs.
 */
export function windowsWithoutContext(width: number, height: number, grid: WindowGrid): number {
	const {size, stride} = grid;
	const along = (length: number) => (length <= size ? 1 : Math.ceil((length - size) / stride) + 1);
	return along(width) * along(height);
}

/**
 * Blending weight across a window: sin² (a Hann window), floored so that pixels only one window covers
 * keep a weight. Predictions near a window's border, where the network saw padding instead of context,
 * count little wherever another window covers the pixel.
 */
export function blendWeights(size: number): Float32Array {
	const weights = new Float32Array(size);
	for (let i = 0; i < size; i++) weights[i] = Math.max(1e-3, Math.sin((Math.PI * (i + 0.5)) / size) ** 2);
	return weights;
}

/**
 * Weighted average of overlapping window predictions of `planes` planes each (plane-major) over a
 * width × height raster; windows may reach past any of its edges (those pixels are not kept).
 */
export class Blender {
	private readonly sum: Float32Array;
	private readonly weight: Float32Array;
	private readonly profile: Float32Array;

	constructor(
		private readonly width: number,
		private readonly height: number,
		private readonly size: number,
		private readonly planes = 1,
	) {
		this.sum = new Float32Array(planes * width * height);
		this.weight = new Float32Array(width * height);
		this.profile = blendWeights(size);
	}

	/** A window's prediction (planes × size × size) whose top-left pixel lies at `window` in the raster. */
	add(window: Window, prediction: Float32Array): void {
		const y0 = Math.max(0, -window.y);
		const y1 = Math.min(this.size, this.height - window.y);
		const x0 = Math.max(0, -window.x);
		const x1 = Math.min(this.size, this.width - window.x);
		const plane = this.width * this.height;
		const windowPlane = this.size * this.size;
		for (let y = y0; y < y1; y++) {
			const wy = this.profile[y];
			const target = (window.y + y) * this.width + window.x;
			for (let x = x0; x < x1; x++) {
				const w = wy * this.profile[x];
				for (let p = 0; p < this.planes; p++)
					this.sum[p * plane + target + x] += prediction[p * windowPlane + y * this.size + x] * w;
				this.weight[target + x] += w;
			}
		}
	}

	result(): Float32Array {
		const plane = this.width * this.height;
		const out = new Float32Array(this.planes * plane);
		for (let i = 0; i < out.length; i++) {
			const weight = this.weight[i % plane];
			out[i] = weight > 0 ? this.sum[i] / weight : 0;
		}
		return out;
	}
}
