/**
 * Cutting one raster request into several on exact pixel boundaries and putting the pieces back.
 * Offsets are integers; a piece's map edges are computed from the whole request's bbox and the pixel
 * index, by the same formula for both neighbours, so adjoining pieces share bit-identical edges.
 */
import type {Bbox} from '../../geo/georaster.js';

/** A rectangle of pixels inside a request: x, y from the top-left corner. */
export type PixelWindow = {x: number; y: number; width: number; height: number};

function cuts(length: number, max: number): number[] {
	const parts = Math.ceil(length / max);
	return Array.from({length: parts + 1}, (_, index) => Math.floor((index * length) / parts));
}

/** A grid of windows covering width × height, each at most maxWidth × maxHeight, of near-equal size. */
export function splitWindow(width: number, height: number, maxWidth: number, maxHeight: number): PixelWindow[] {
	const xs = cuts(width, maxWidth);
	const ys = cuts(height, maxHeight);
	const windows: PixelWindow[] = [];
	for (let row = 0; row + 1 < ys.length; row++) {
		for (let col = 0; col + 1 < xs.length; col++) {
			windows.push({x: xs[col], y: ys[row], width: xs[col + 1] - xs[col], height: ys[row + 1] - ys[row]});
		}
	}
	return windows;
}

/** Two halves of a window, cut across its longer side; undefined for a single pixel. */
export function halveWindow(window: PixelWindow): [PixelWindow, PixelWindow] | undefined {
	if (window.width <= 1 && window.height <= 1) return undefined;
	if (window.width >= window.height) {
		const left = Math.floor(window.width / 2);
		return [
			{...window, width: left},
			{...window, x: window.x + left, width: window.width - left},
		];
	}
	const top = Math.floor(window.height / 2);
	return [
		{...window, height: top},
		{...window, y: window.y + top, height: window.height - top},
	];
}

/** The map bbox of a window of a width × height raster covering `bbox` (rows from the top). */
export function windowBbox(bbox: Bbox, width: number, height: number, window: PixelWindow): Bbox {
	const x = (column: number) => (column === width ? bbox.xmax : bbox.xmin + (column * (bbox.xmax - bbox.xmin)) / width);
	const y = (row: number) => (row === height ? bbox.ymin : bbox.ymax - (row * (bbox.ymax - bbox.ymin)) / height);
	return {xmin: x(window.x), xmax: x(window.x + window.width), ymax: y(window.y), ymin: y(window.y + window.height)};
}

/** Copy a window's interleaved pixels into the whole raster's interleaved pixels. */
export function pasteWindow(
	target: Uint8Array | Float32Array,
	targetWidth: number,
	bands: number,
	window: PixelWindow,
	source: Uint8Array | Float32Array,
): void {
	const rowLength = window.width * bands;
	for (let row = 0; row < window.height; row++) {
		const from = row * rowLength;
		target.set(source.subarray(from, from + rowLength), ((window.y + row) * targetWidth + window.x) * bands);
	}
}
