import proj4 from 'proj4';
import {UserError} from '../../errors.js';
import type {Bbox} from '../../config/preset-schema.js';
import {lookupCrs} from './crs-registry.js';

/** The number of a `EPSG:n` or `ESRI:n` code. */
export function epsgNumber(crs: string): number {
	return Number(crs.slice(crs.indexOf(':') + 1));
}

/**
 * Make `crs` known to proj4: a preset's own definition, else what proj4 knows (EPSG:4326, EPSG:3857 and
 * their aliases), else Esri's list of every EPSG code and Esri WKID. A WKID with a newer code (102719 → 2264)
 * is defined as that code.
 */
export function ensureCrs(crs: string, definition?: string): void {
	if (definition) {
		proj4.defs(crs, definition);
		return;
	}
	if (proj4.defs(crs)) return;
	const code = epsgNumber(crs);
	const record = Number.isInteger(code) ? lookupCrs(code) : undefined;
	if (!record) {
		throw new UserError(
			`unknown CRS ${crs}: neither EPSG nor Esri lists code ${code}; check the code, or add its proj4 definition to the preset as "crsDefinition"`,
		);
	}
	const latest = `EPSG:${record.latestWkid}`;
	if (record.latestWkid !== code && proj4.defs(latest)) {
		proj4.defs(crs, proj4.defs(latest));
		return;
	}
	try {
		proj4.defs(crs, record.wkt);
		// Creating the projection once checks it and fills in its datum parameters.
		proj4(crs, 'EPSG:4326');
		redefineAsSwissObliqueCylindrical(crs);
	} catch {
		delete (proj4.defs as unknown as Record<string, unknown>)[crs];
		throw new UserError(
			`${crs} (${record.name}) uses a projection proj4 cannot compute; add its proj4 definition to the preset as "crsDefinition"`,
		);
	}
}

/**
 * The Swiss grids (CH1903 LV03, CH1903+ LV95) are written in Esri's WKT as a Hotine oblique Mercator centred
 * at an azimuth of 90°; PROJ (and so GDAL) computes that case as the Swiss oblique cylindrical projection,
 * which proj4js's Hotine differs from by up to a decimetre. Redefine it as PROJ does.
 */
function redefineAsSwissObliqueCylindrical(crs: string): void {
	const definition = proj4.defs(crs) as unknown as Record<string, unknown> | undefined;
	if (definition?.projName !== 'Hotine_Oblique_Mercator_Azimuth_Center' || definition.azimuth !== 90) return;
	const datum = Array.isArray(definition.datum_params) ? `+towgs84=${definition.datum_params.join(',')}` : '';
	proj4.defs(
		crs,
		[
			'+proj=somerc',
			`+lat_0=${String(definition.latitude_of_center)}`,
			`+lon_0=${String(definition.longitude_of_center)}`,
			`+k_0=${String(definition.k0)}`,
			`+x_0=${String(definition.x0)}`,
			`+y_0=${String(definition.y0)}`,
			`+a=${String(definition.a)}`,
			`+rf=${String(definition.rf)}`,
			datum,
			'+units=m +no_defs',
		].join(' '),
	);
}

/** The code rasters are written with: a WKID's current code where there is one (ESRI:102719 → 2264). */
export function currentCode(crs: string): number {
	const code = epsgNumber(crs);
	if (code === 4326 || code === 3857) return code;
	return lookupCrs(code)?.latestWkid ?? code;
}

/** The code as readers spell it: `EPSG:2264`, `ESRI:102003` for Esri's own WKIDs. */
export function authorityCode(code: number): {authority: 'EPSG' | 'ESRI'; code: number} {
	if (code === 4326 || code === 3857) return {authority: 'EPSG', code};
	return {authority: lookupCrs(code)?.authority === 'Esri' ? 'ESRI' : 'EPSG', code};
}

/** "EPSG:2264", "ESRI:102003": the code with the authority that issued it. */
export function crsName(code: number): string {
	const {authority} = authorityCode(code);
	return `${authority}:${code}`;
}

/** How proj4 names linear units, as people write their squares; degrees are not a unit of area anyone reads. */
const unitSymbols: Record<string, string> = {
	m: 'm',
	meter: 'm',
	metre: 'm',
	foot: 'ft',
	ft: 'ft',
	foot_us: 'US ft',
	'us-ft': 'US ft',
	degrees: 'deg',
};

/** The linear unit of `crs` as people write it: "m", "ft", "US ft", "deg". */
export function linearUnit(crs: string, definition?: string): string {
	ensureCrs(crs, definition);
	const units = String(proj4.defs(crs)?.units ?? 'm').toLowerCase();
	return unitSymbols[units] ?? units;
}

/** The unit of areas in `crs` (map units²): "m²", "ft²", "US ft²", "deg²". */
export function areaUnit(crs: string, definition?: string): string {
	return `${linearUnit(crs, definition)}²`;
}

/**
 * Bounding box of an extent after transformation: edges are densified because straight lines in one CRS
 * are curves in another.
 */
export function transformExtent(extent: Bbox, from: string, to: string): Bbox {
	if (from === to) return {...extent};
	ensureCrs(from);
	ensureCrs(to);
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
