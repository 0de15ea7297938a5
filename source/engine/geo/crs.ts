import proj4 from 'proj4';
import {UserError} from '../../errors.js';
import type {Bbox} from '../../config/preset-schema.js';

/** proj4 knows EPSG:4326 and EPSG:3857 (and aliases); UTM zones are defined on demand, others need a definition. */
function utmDefinition(code: number): string | undefined {
	const north = code >= 32601 && code <= 32660;
	const south = code >= 32701 && code <= 32760;
	if (!north && !south) return undefined;
	const zone = code % 100;
	return `+proj=utm +zone=${zone}${south ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`;
}

export function epsgNumber(crs: string): number {
	return Number(crs.slice('EPSG:'.length));
}

export function ensureCrs(crs: string, definition?: string): void {
	if (definition) {
		proj4.defs(crs, definition);
		return;
	}
	if (proj4.defs(crs)) return;
	const utm = utmDefinition(epsgNumber(crs));
	if (utm) {
		proj4.defs(crs, utm);
		return;
	}
	throw new UserError(
		`unknown CRS ${crs}; add its proj4 definition to the preset as "crsDefinition" (see https://epsg.io/${epsgNumber(crs)}.proj4)`,
	);
}

/**
 * Bounding box of an extent after transformation: edges are densified because straight lines in one CRS
 * are curves in another.
 */
export function transformExtent(extent: Bbox, from: string, to: string): Bbox {
	if (from === to) return {...extent};
	const converter = proj4(from, to);
	const steps = 32;
	let xmin = Infinity;
	let ymin = Infinity;
	let xmax = -Infinity;
	let ymax = -Infinity;
	for (let i = 0; i <= steps; i++) {
		const t = i / steps;
		const x = extent.xmin + (extent.xmax - extent.xmin) * t;
		const y = extent.ymin + (extent.ymax - extent.ymin) * t;
		for (const point of [
			[x, extent.ymin],
			[x, extent.ymax],
			[extent.xmin, y],
			[extent.xmax, y],
		] as const) {
			const [px, py] = converter.forward([point[0], point[1]]);
			xmin = Math.min(xmin, px);
			ymin = Math.min(ymin, py);
			xmax = Math.max(xmax, px);
			ymax = Math.max(ymax, py);
		}
	}
	if (![xmin, ymin, xmax, ymax].every(Number.isFinite)) {
		throw new UserError(
			`the extent cannot be transformed from ${from} to ${to} (outside the projection's area); check the extent and its CRS`,
		);
	}
	return {xmin, ymin, xmax, ymax};
}
