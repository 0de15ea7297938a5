import type {Bbox} from '../../config/preset-schema.js';

/** An axis-aligned extent in the raster's own CRS (x east, y north; degrees for geographic CRSs). */
export type {Bbox};

/** One RGB palette entry, 0–255 per channel. */
export type PaletteEntry = [number, number, number];

/**
 * A georeferenced raster in memory.
 * `data` is pixel-interleaved, row-major, top row first: sample b of pixel (col, row) is
 * `data[(row * width + col) * bands + b]`. The bbox is the outer edge of the outer pixels.
 */
export type GeoRaster = {
	width: number;
	height: number;
	bands: number;
	data: Uint8Array | Float32Array;
	bbox: Bbox;
	epsg: number;
	nodata?: number;
	/**
	 * 1 where the pixel has no data, for rasters whose samples cannot say so themselves (RGB without data where
	 * the service draws nothing); absent when every pixel has data. GeoTIFFs store it as an alpha band.
	 */
	nodataMask?: Uint8Array;
	/** Palette for a 1-band uint8 raster: index = pixel value. */
	colorMap?: PaletteEntry[];
};
