/** Where a GeoTIFF says it lies, without reading its pixels: for checking an answer against the request. */
import type {GeoTIFFImage} from 'geotiff';
import './native-inflate.js';
import type {Bbox} from '../../config/preset-schema.js';
import {crsCodeOfGeoKeys} from './geotiff-crs.js';

/** Its bbox (GDAL's reading of the tie point) and CRS code; `crs` 'unknown' for a user-defined one. */
export type GeoTiffPlace = {bbox: Bbox; crs?: number | 'unknown'};

const pixelIsPoint = 2;

/** Undefined when the image carries no georeferencing (no tie point and pixel scale, no transformation). */
export function geoTiffPlace(image: GeoTIFFImage): GeoTiffPlace | undefined {
	let origin: number[];
	let resolution: number[];
	try {
		origin = image.getOrigin();
		resolution = image.getResolution();
	} catch {
		return undefined;
	}
	const geoKeys = image.getGeoKeys();
	let [originX, originY] = origin;
	const [resX, resY] = resolution;
	if (Number(geoKeys?.GTRasterTypeGeoKey) === pixelIsPoint) {
		originX -= resX / 2;
		originY -= resY / 2;
	}
	const bbox = {
		xmin: originX,
		ymax: originY,
		xmax: originX + resX * image.getWidth(),
		ymin: originY + resY * image.getHeight(),
	};
	if (!geoKeys || Object.keys(geoKeys).length === 0) return {bbox};
	try {
		return {bbox, crs: crsCodeOfGeoKeys(geoKeys)};
	} catch {
		return {bbox, crs: 'unknown'};
	}
}
