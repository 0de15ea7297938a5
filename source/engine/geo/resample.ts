/** Reading a raster's values at arbitrary points of its own CRS: nearest neighbour or bilinear. */
import type {Bbox, GeoRaster} from './georaster.js';

export type Interpolation = 'nearest' | 'bilinear';

export type Sampled = {
	data: Uint8Array | Float32Array;
	/** 1 where the point fell on data, 0 outside the raster or on its nodata. */
	valid: Uint8Array;
};

/** Pixel-centre coordinates of a grid, row by row from the top. */
export function gridPoints(bbox: Bbox, width: number, height: number): {xs: Float64Array; ys: Float64Array} {
	const xs = new Float64Array(width * height);
	const ys = new Float64Array(width * height);
	const cellX = (bbox.xmax - bbox.xmin) / width;
	const cellY = (bbox.ymax - bbox.ymin) / height;
	for (let row = 0; row < height; row++) {
		const y = bbox.ymax - (row + 0.5) * cellY;
		for (let col = 0; col < width; col++) {
			xs[row * width + col] = bbox.xmin + (col + 0.5) * cellX;
			ys[row * width + col] = y;
		}
	}
	return {xs, ys};
}

/**
 * Values of `source` at the points (xs[k], ys[k]), all bands, pixel-interleaved, in the source's
 * sample type. Bilinear falls back to nearest where a neighbour is missing or nodata.
 */
export function samplePoints(
	source: GeoRaster,
	xs: Float64Array,
	ys: Float64Array,
	interpolation: Interpolation,
): Sampled {
	const {width, height, bands, bbox, nodata} = source;
	const cellX = (bbox.xmax - bbox.xmin) / width;
	const cellY = (bbox.ymax - bbox.ymin) / height;
	const count = xs.length;
	const data = source.data instanceof Uint8Array ? new Uint8Array(count * bands) : new Float32Array(count * bands);
	const valid = new Uint8Array(count);
	const isNodata = (pixel: number) =>
		nodata !== undefined &&
		(source.data[pixel * bands] === nodata || (Number.isNaN(nodata) && Number.isNaN(source.data[pixel * bands])));
	for (let k = 0; k < count; k++) {
		// Continuous pixel coordinates: (0, 0) is the top-left corner of the top-left pixel.
		const fx = (xs[k] - bbox.xmin) / cellX;
		const fy = (bbox.ymax - ys[k]) / cellY;
		if (!(fx >= 0 && fx < width && fy >= 0 && fy < height)) continue;
		const col = Math.floor(fx);
		const row = Math.floor(fy);
		const pixel = row * width + col;
		if (isNodata(pixel)) continue;
		valid[k] = 1;
		if (interpolation === 'bilinear') {
			const x0 = Math.min(width - 1, Math.max(0, Math.floor(fx - 0.5)));
			const y0 = Math.min(height - 1, Math.max(0, Math.floor(fy - 0.5)));
			const x1 = Math.min(width - 1, x0 + 1);
			const y1 = Math.min(height - 1, y0 + 1);
			const tx = Math.min(1, Math.max(0, fx - 0.5 - x0));
			const ty = Math.min(1, Math.max(0, fy - 0.5 - y0));
			const corners = [y0 * width + x0, y0 * width + x1, y1 * width + x0, y1 * width + x1];
			if (!corners.some(isNodata)) {
				for (let b = 0; b < bands; b++) {
					const [a, c, d, e] = corners.map((p) => source.data[p * bands + b]);
					const value = (a * (1 - tx) + c * tx) * (1 - ty) + (d * (1 - tx) + e * tx) * ty;
					data[k * bands + b] = data instanceof Uint8Array ? Math.round(value) : value;
				}
				continue;
			}
		}
		for (let b = 0; b < bands; b++) data[k * bands + b] = source.data[pixel * bands + b];
	}
	return {data, valid};
}
