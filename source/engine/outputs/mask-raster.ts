import type {Tile} from '../geo/plan.js';
import type {GeoRaster, PaletteEntry} from '../geo/georaster.js';
import {resizeNearest, type Size} from '../geo/resize-nearest.js';

/** Mask palette: 0 background (black; the VRT shows it transparent), 1 the class (orange). */
export const maskPalette: PaletteEntry[] = [
	[0, 0, 0],
	[255, 140, 0],
];

export type {Size} from '../geo/resize-nearest.js';


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
