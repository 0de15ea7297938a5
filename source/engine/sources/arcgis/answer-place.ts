/**
 * An answer that says where it lies must lie where it was asked for: its CRS the request's, each edge of
 * its bbox within half a pixel of the requested one. Otherwise its pixels would be written at the wrong place.
 */
import type {Bbox} from '../../../config/preset-schema.js';
import {currentCode} from '../../geo/crs.js';
import type {GeoTiffPlace} from '../../geo/geotiff-place.js';

export type RequestedPlace = {bbox: Bbox; epsg: number; width: number; height: number};

const corners = (bbox: Bbox) => [bbox.xmin, bbox.ymin, bbox.xmax, bbox.ymax].map((value) => String(value)).join(',');

/** What is wrong with the answer's place, in words naming the expected and the returned; undefined when right. */
export function misplacement(place: GeoTiffPlace, requested: RequestedPlace): string | undefined {
	const expected = `EPSG:${requested.epsg} ${corners(requested.bbox)}`;
	if (place.crs !== undefined) {
		const sameCrs =
			place.crs !== 'unknown' && currentCode(`EPSG:${place.crs}`) === currentCode(`EPSG:${requested.epsg}`);
		if (!sameCrs) {
			const returned = place.crs === 'unknown' ? 'a user-defined CRS' : `EPSG:${place.crs}`;
			return `an image in ${returned} at ${corners(place.bbox)} instead of ${expected}`;
		}
	}
	const halfX = (requested.bbox.xmax - requested.bbox.xmin) / requested.width / 2;
	const halfY = (requested.bbox.ymax - requested.bbox.ymin) / requested.height / 2;
	const off =
		Math.abs(place.bbox.xmin - requested.bbox.xmin) > halfX ||
		Math.abs(place.bbox.xmax - requested.bbox.xmax) > halfX ||
		Math.abs(place.bbox.ymin - requested.bbox.ymin) > halfY ||
		Math.abs(place.bbox.ymax - requested.bbox.ymax) > halfY;
	if (off)
		return `an image georeferenced at ${corners(place.bbox)} instead of ${expected} (more than half a pixel off)`;
	return undefined;
}
