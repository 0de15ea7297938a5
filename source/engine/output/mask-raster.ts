import type {Tile} from '../plan/plan.js';
import type {GeoRaster, PaletteEntry} from '../raster/georaster.js';

/** Mask palette: 0 background (black; the VRT shows it transparent), 1 the class (orange). */
export const maskPalette: PaletteEntry[] = [
	[0, 0, 0],
	[255, 140, 0],
];

export type Size = {width: number; height: number};

/** Nearest-neighbour resampling of a byte raster, `bands` bytes per pixel interleaved (pixel centres mapped onto the source). */
export function resizeNearest(data: Uint8Array, from: Size, to: Size, bands = 1): Uint8Array {
	if (from.width === to.width && from.height === to.height) return data;
	const result = new Uint8Array(to.width * to.height * bands);
	const columns = new Int32Array(to.width);
	for (let x = 0; x < to.width; x++) columns[x] = Math.min(from.width - 1, Math.floor(((x + 0.5) * from.width) / to.width));
	for (let y = 0; y < to.height; y++) {
		const sourceRow = Math.min(from.height - 1, Math.floor(((y + 0.5) * from.height) / to.height)) * from.width;
		const row = y * to.width;
		for (let x = 0; x < to.width; x++) {
			const source = (sourceRow + columns[x]) * bands;
			const target = (row + x) * bands;
			for (let b = 0; b < bands; b++) result[target + b] = data[source + b];
		}
	}
	return result;
}

/** The mask tile as written: class values, palette, the tile's bbox; resized when `size` differs. */
export function maskRaster(tile: Tile, epsg: number, mask: Uint8Array, from: Size, size: Size = from): GeoRaster {
	return {
		width: size.width,
		height: size.height,
		bands: 1,
		data: resizeNearest(mask, from, size),
		bbox: tile.bbox,
		epsg,
		colorMap: maskPalette,
	};
}

/** A probability tile (uint8, probability × 255) as written to prob/. */
export function probabilityRaster(tile: Tile, epsg: number, probability: Uint8Array, size: Size): GeoRaster {
	return {width: size.width, height: size.height, bands: 1, data: probability, bbox: tile.bbox, epsg};
}
