/**
 * Sliding windows over a raster: start offsets along one axis, a smooth blending weight, and the
 * accumulator that stitches window predictions without seams.
 */

/** Window starts covering [0, length) with windows of `size` overlapping by `overlap` percent; the last one ends at the edge. */
export function windowStarts(length: number, size: number, overlap: number): number[] {
	if (length <= size) return [0];
	const stride = Math.max(1, Math.round(size * (1 - overlap / 100)));
	const starts: number[] = [];
	for (let start = 0; start + size < length; start += stride) starts.push(start);
	starts.push(length - size);
	return starts;
}

/**
 * Blending weight across a window: sin² (a Hann window), floored so that pixels only one window covers
 * (at the raster's edges) keep a weight. Predictions near a window's border, where the network saw
 * padding instead of context, count little wherever another window covers the pixel.
 */
export function blendWeights(size: number): Float32Array {
	const weights = new Float32Array(size);
	for (let i = 0; i < size; i++) weights[i] = Math.max(1e-3, Math.sin((Math.PI * (i + 0.5)) / size) ** 2);
	return weights;
}

export type Window = {x: number; y: number};

export function windowsFor(width: number, height: number, size: number, overlap: number): Window[] {
	const xs = windowStarts(width, size, overlap);
	const ys = windowStarts(height, size, overlap);
	return ys.flatMap((y) => xs.map((x) => ({x, y})));
}

/** Copy a size × size window of a planar C×H×W tensor, zero-padded past the raster's edge. */
export function cutWindow(
	planes: Float32Array,
	channels: number,
	width: number,
	height: number,
	window: Window,
	size: number,
): Float32Array {
	const out = new Float32Array(channels * size * size);
	const rows = Math.min(size, height - window.y);
	const cols = Math.min(size, width - window.x);
	for (let c = 0; c < channels; c++) {
		for (let y = 0; y < rows; y++) {
			const from = c * width * height + (window.y + y) * width + window.x;
			out.set(planes.subarray(from, from + cols), c * size * size + y * size);
		}
	}
	return out;
}

/** Weighted average of overlapping window predictions of `planes` planes each (plane-major). */
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

	add(window: Window, prediction: Float32Array): void {
		const rows = Math.min(this.size, this.height - window.y);
		const cols = Math.min(this.size, this.width - window.x);
		const plane = this.width * this.height;
		const windowPlane = this.size * this.size;
		for (let y = 0; y < rows; y++) {
			const wy = this.profile[y];
			const target = (window.y + y) * this.width + window.x;
			for (let x = 0; x < cols; x++) {
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
