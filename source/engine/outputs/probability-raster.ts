import type {Tile} from '../geo/plan.js';
import type {GeoRaster} from '../geo/georaster.js';
import type {Size} from '../geo/resize-nearest.js';
import {interleavePlanes} from '../masks/planes.js';

/** A probability tile (uint8, probability × 255, one band per class plane; `probability` plane-major) as written to prob/. */
export function probabilityRaster(tile: Tile, epsg: number, probability: Uint8Array, size: Size): GeoRaster {
	const bands = probability.length / (size.width * size.height);
	return {
		width: size.width,
		height: size.height,
		bands,
		data: interleavePlanes(probability, bands),
		bbox: tile.bbox,
		epsg,
	};
}
