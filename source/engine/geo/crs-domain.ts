/**
 * Whether coordinates lie where their CRS means anything: they must reach a longitude and latitude on the
 * globe and come back to themselves. Web Mercator x of 1e300 (or 3e7, which wraps round to another
 * place) fails; so does anything projections cannot compute. Cheap: the corners and the centre only.
 */
import proj4 from 'proj4';
import type {Bbox} from '../../config/preset-schema.js';
import {ensureCrs} from './crs.js';

const geographic = 'EPSG:4326';

function roundTrips(converter: proj4.Converter, x: number, y: number): boolean {
	const [lon, lat] = converter.inverse([x, y]);
	if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) return false;
	const [backX, backY] = converter.forward([lon, lat]);
	const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a));
	return close(backX, x) && close(backY, y);
}

/** The first corner of `extent` outside the area where `crs` is defined, or undefined when all are inside. */
export function pointOutsideCrs(extent: Bbox, crs: string): [number, number] | undefined {
	if (crs === geographic) return undefined;
	ensureCrs(crs);
	const converter = proj4(geographic, crs);
	const {xmin, ymin, xmax, ymax} = extent;
	const points: Array<[number, number]> = [
		[xmin, ymin],
		[xmin, ymax],
		[xmax, ymin],
		[xmax, ymax],
		[(xmin + xmax) / 2, (ymin + ymax) / 2],
	];
	return points.find(([x, y]) => !roundTrips(converter, x, y));
}
