/**
 * A raster in any CRS onto a grid of another: each target pixel centre is transformed into the source's CRS
 * and sampled there (the inverse mapping gdalwarp does). Sources that hold pixels in their own CRS (tile
 * caches, files) warp with this; ArcGIS exports come already warped by the server.
 *
 * The sampling is gdalwarp's (GDAL 3.x gdalwarpkernel.cpp), so that a tile equals `gdalwarp -te … -ts … -r
 * near|bilinear` of the same data: nearest takes the pixel under the centre (with gdalwarp's 1e-10 nudge
 * onto the next pixel at an exact edge); bilinear weighs the four neighbours while the target is not much
 * coarser than the source (source pixels per target pixel ≤ 1/0.95), and beyond that widens its triangle
 * kernel to cover every source pixel under the target pixel (radius ⌈1/scale⌉, weights 1 − |d·scale|), as
 * gdalwarp does when downsampling. Pixels without data (nodata, or the raster's nodata mask) take no part:
 * the weights of the others are renormalised, and a target pixel whose centre falls on one has no data.
 */
import proj4 from 'proj4';
import type {Bbox, GeoRaster} from './georaster.js';
import {ensureCrs} from './crs.js';
import {gridPoints, type Interpolation, type Sampled} from './resample.js';

export type TargetGrid = {bbox: Bbox; width: number; height: number; epsg: number};

export type WarpOptions = {
	/**
	 * gdalwarp's kernel scale, target pixels per source pixel along x and y (below 1 when downsampling); default:
	 * measured as gdalwarp does, the target's size over the source window its edges map onto.
	 */
	scale?: {x: number; y: number};
};

/** gdalwarp's threshold for its four-sample bilinear (GWKBilinearResample4Sample) over the widened kernel. */
const fourSampleScale = 0.95;
/** gdalwarp's nudge of a source coordinate before it is truncated to a pixel (GWKCheckAndComputeSrcOffsets). */
const pixelNudge = 1e-10;
/** Points per edge when measuring the source window, as gdalwarp's ComputeSourceWindow samples (21). */
const edgeSteps = 20;

/** `source` sampled at the pixel centres of `target`; `valid` is 0 where the source has no data. */
export function warpToGrid(
	source: GeoRaster,
	target: TargetGrid,
	interpolation: Interpolation,
	options: WarpOptions = {},
): Sampled {
	const {xs, ys} = gridPoints(target.bbox, target.width, target.height);
	if (source.epsg !== target.epsg) transformPoints(xs, ys, target.epsg, source.epsg);
	toPixels(source, xs, ys);
	const scale = options.scale ?? kernelScale(source, target);
	return samplePixels(source, xs, ys, interpolation, scale);
}

/** gdalwarp's kernel scale for warping `source` onto `target`: target pixels over the source pixels its edges span. */
export function kernelScale(source: GeoRaster, target: TargetGrid): {x: number; y: number} {
	const {xs, ys} = edgePoints(target.bbox);
	if (source.epsg !== target.epsg) transformPoints(xs, ys, target.epsg, source.epsg);
	toPixels(source, xs, ys);
	let xmin = Infinity;
	let xmax = -Infinity;
	let ymin = Infinity;
	let ymax = -Infinity;
	for (let k = 0; k < xs.length; k++) {
		if (!Number.isFinite(xs[k]) || !Number.isFinite(ys[k])) continue;
		xmin = Math.min(xmin, xs[k]);
		xmax = Math.max(xmax, xs[k]);
		ymin = Math.min(ymin, ys[k]);
		ymax = Math.max(ymax, ys[k]);
	}
	const x = target.width / (xmax - xmin);
	const y = target.height / (ymax - ymin);
	return {x: Number.isFinite(x) && x > 0 ? x : 1, y: Number.isFinite(y) && y > 0 ? y : 1};
}

/** Points along the four edges of a bbox, corners included. */
export function edgePoints(bbox: Bbox, steps = edgeSteps): {xs: Float64Array; ys: Float64Array} {
	const xs = new Float64Array(4 * (steps + 1));
	const ys = new Float64Array(4 * (steps + 1));
	let k = 0;
	for (let i = 0; i <= steps; i++) {
		const t = i / steps;
		const x = bbox.xmin + (bbox.xmax - bbox.xmin) * t;
		const y = bbox.ymin + (bbox.ymax - bbox.ymin) * t;
		for (const [px, py] of [
			[x, bbox.ymin],
			[x, bbox.ymax],
			[bbox.xmin, y],
			[bbox.xmax, y],
		]) {
			xs[k] = px;
			ys[k] = py;
			k++;
		}
	}
	return {xs, ys};
}

/** Map coordinates of the raster's CRS to continuous pixel coordinates, in place: (0, 0) is the top-left corner. */
function toPixels(source: GeoRaster, xs: Float64Array, ys: Float64Array): void {
	const {bbox, width, height} = source;
	const cellX = (bbox.xmax - bbox.xmin) / width;
	const cellY = (bbox.ymax - bbox.ymin) / height;
	for (let k = 0; k < xs.length; k++) {
		xs[k] = (xs[k] - bbox.xmin) / cellX;
		ys[k] = (bbox.ymax - ys[k]) / cellY;
	}
}

/** 1 for every pixel of `source` that holds data: not masked, not nodata (every band, for several), not NaN. */
export function validPixels(source: GeoRaster): Uint8Array {
	const {width, height, bands, data, nodata, nodataMask} = source;
	const pixels = width * height;
	const valid = new Uint8Array(pixels).fill(1);
	const nanNodata = nodata !== undefined && Number.isNaN(nodata);
	const mark = nodata === undefined ? undefined : data instanceof Float32Array ? Math.fround(nodata) : nodata;
	for (let p = 0; p < pixels; p++) {
		if (nodataMask?.[p]) {
			valid[p] = 0;
			continue;
		}
		if (data instanceof Float32Array && bands === 1 && Number.isNaN(data[p])) {
			valid[p] = 0;
			continue;
		}
		if (mark === undefined) continue;
		let all = true;
		for (let b = 0; b < bands && all; b++) {
			const value = data[p * bands + b];
			all = nanNodata ? Number.isNaN(value) : value === mark;
		}
		if (all) valid[p] = 0;
	}
	return valid;
}

/**
 * Values of `source` at continuous pixel coordinates (px[k], py[k]), all bands, pixel-interleaved, in the
 * source's sample type (8-bit rounded as gdalwarp rounds: ⌊v + 0.5⌋, clamped).
 */
export function samplePixels(
	source: GeoRaster,
	px: Float64Array,
	py: Float64Array,
	interpolation: Interpolation,
	scale: {x: number; y: number} = {x: 1, y: 1},
): Sampled {
	const {width, height, bands} = source;
	const src = source.data;
	const count = px.length;
	const bytes = src instanceof Uint8Array;
	const data = bytes ? new Uint8Array(count * bands) : new Float32Array(count * bands);
	const valid = new Uint8Array(count);
	const ok = validPixels(source);
	const fourSample = scale.x >= fourSampleScale && scale.y >= fourSampleScale;
	const scaleX = Math.min(1, scale.x);
	const scaleY = Math.min(1, scale.y);
	const radiusX = scale.x < 1 ? Math.ceil(1 / scale.x) : 1;
	const radiusY = scale.y < 1 ? Math.ceil(1 / scale.y) : 1;
	const weightsX = new Float64Array(2 * radiusX + 1);
	const sums = new Float64Array(bands);
	const store = (k: number, b: number, value: number) => {
		data[k * bands + b] = bytes ? Math.min(255, Math.max(0, Math.floor(value + 0.5))) : value;
	};

	for (let k = 0; k < count; k++) {
		const fx = px[k];
		const fy = py[k];
		if (!(fx >= 0 && fy >= 0)) continue;
		const col = Math.floor(fx + pixelNudge);
		const row = Math.floor(fy + pixelNudge);
		if (col >= width || row >= height) continue;
		const centre = row * width + col;
		// gdalwarp writes nothing where the pixel under the centre has no data, whatever its neighbours hold.
		if (!ok[centre]) continue;
		if (interpolation === 'nearest') {
			for (let b = 0; b < bands; b++) data[k * bands + b] = src[centre * bands + b];
			valid[k] = 1;
			continue;
		}
		const ix = Math.floor(fx - 0.5);
		const iy = Math.floor(fy - 0.5);
		const dx = fx - 0.5 - ix;
		const dy = fy - 0.5 - iy;
		sums.fill(0);
		let weight = 0;
		if (fourSample) {
			for (let j = 0; j <= 1; j++) {
				const y = iy + j;
				if (y < 0 || y >= height) continue;
				const wy = j === 0 ? 1 - dy : dy;
				for (let i = 0; i <= 1; i++) {
					const x = ix + i;
					if (x < 0 || x >= width) continue;
					const p = y * width + x;
					if (!ok[p]) continue;
					const w = (i === 0 ? 1 - dx : dx) * wy;
					weight += w;
					for (let b = 0; b < bands; b++) sums[b] += src[p * bands + b] * w;
				}
			}
			if (weight < 1e-5) continue;
		} else {
			const iMin = Math.max(-radiusX, -ix);
			const iMax = Math.min(radiusX, width - 1 - ix);
			const jMin = Math.max(-radiusY, -iy);
			const jMax = Math.min(radiusY, height - 1 - iy);
			for (let i = iMin; i <= iMax; i++) weightsX[i - iMin] = triangle((i - dx) * scaleX);
			for (let j = jMin; j <= jMax; j++) {
				const wy = triangle((j - dy) * scaleY);
				if (wy === 0) continue;
				const rowStart = (iy + j) * width + ix;
				for (let i = iMin; i <= iMax; i++) {
					const p = rowStart + i;
					const w = weightsX[i - iMin] * wy;
					if (w === 0 || !ok[p]) continue;
					weight += w;
					for (let b = 0; b < bands; b++) sums[b] += src[p * bands + b] * w;
				}
			}
			if (weight < 1e-6) continue;
		}
		for (let b = 0; b < bands; b++) store(k, b, sums[b] / weight);
		valid[k] = 1;
	}
	return {data, valid};
}

function triangle(x: number): number {
	const a = Math.abs(x);
	return a < 1 ? 1 - a : 0;
}

/** Transforms the points in place from one CRS to another. */
export function transformPoints(xs: Float64Array, ys: Float64Array, from: number, to: number): void {
	ensureCrs(`EPSG:${from}`);
	ensureCrs(`EPSG:${to}`);
	const forward = proj4(`EPSG:${from}`, `EPSG:${to}`).forward;
	for (let k = 0; k < xs.length; k++) {
		const [x, y] = forward([xs[k], ys[k]]);
		xs[k] = x;
		ys[k] = y;
	}
}
