/**
 * A raster in any CRS onto a grid of another: each target pixel centre is transformed into the source's CRS
 * and sampled there (the inverse mapping gdalwarp does). Sources that hold pixels in their own CRS (tile
 * caches, files) warp with this; ArcGIS exports come already warped by the server.
 */
import proj4 from 'proj4';
import type {Bbox, GeoRaster} from './georaster.js';
import {ensureCrs} from './crs.js';
import {gridPoints, samplePoints, type Interpolation, type Sampled} from './resample.js';

export type TargetGrid = {bbox: Bbox; width: number; height: number; epsg: number};

/** `source` sampled at the pixel centres of `target`; `valid` is 0 where the source has no data. */
export function warpToGrid(source: GeoRaster, target: TargetGrid, interpolation: Interpolation): Sampled {
	const {xs, ys} = gridPoints(target.bbox, target.width, target.height);
	if (source.epsg !== target.epsg) transformPoints(xs, ys, target.epsg, source.epsg);
	return samplePoints(source, xs, ys, interpolation);
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
