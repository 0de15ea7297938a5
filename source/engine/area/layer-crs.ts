/** A layer's CRS as a code the registry knows, or its own WKT for proj4 when none matches. */
import {lookupCrs, lookupCrsByName} from '../geo/crs-registry.js';
import type {LayerCrs} from './layer.js';

function codeName(code: number): string {
	return `${lookupCrs(code)?.authority === 'Esri' ? 'ESRI' : 'EPSG'}:${code}`;
}

/**
 * WKT 1 (a Shapefile's .prj, a GeoPackage's definition): its AUTHORITY code when it ends with one, else the
 * code of its name (Esri's .prj names: WGS_1984_Web_Mercator_Auxiliary_Sphere), else the WKT itself.
 */
export function crsFromWkt(wkt: string, name: string): LayerCrs {
	const text = wkt.trim();
	const authority = /AUTHORITY\["(EPSG|ESRI)","?(\d+)"?\]\]\s*$/i.exec(text);
	if (authority) return {crs: `${authority[1].toUpperCase()}:${authority[2]}`};
	const title = /^(?:PROJCS|GEOGCS|PROJCRS|GEOGCRS|GEODCRS)\["([^"]+)"/i.exec(text)?.[1];
	const code = title === undefined ? undefined : lookupCrsByName(title);
	if (code !== undefined) return {crs: codeName(code)};
	return {crs: name, crsDefinition: text};
}

/** GeoJSON's `crs` member (2008 spec) or, by RFC 7946, CRS84 (longitude, latitude: proj4's EPSG:4326). */
export function geoJsonCrs(crs: unknown): LayerCrs | undefined {
	if (crs === undefined || crs === null) return {crs: 'EPSG:4326'};
	const name = (crs as {properties?: {name?: unknown}}).properties?.name;
	if (typeof name !== 'string') return undefined;
	if (/CRS84$/i.test(name)) return {crs: 'EPSG:4326'};
	const code = /(EPSG|ESRI)(?::[\d.]*)?:(\d+)$/i.exec(name);
	return code ? {crs: `${code[1].toUpperCase()}:${code[2]}`} : undefined;
}
