/**
 * The geometry of a tile cache: where its tiles lie (origin, tile size, resolution per level, CRS), which
 * level serves a cell size, which tiles cover a bbox, and each tile's URL. Two kinds of cache: an ArcGIS
 * cached service (its `tileInfo`) and an XYZ/WMTS template in Web Mercator.
 */
import type {Bbox} from '../../geo/georaster.js';
import {normalizeWkid} from '../arcgis/service-info.js';

export type Lod = {level: number; resolution: number};

export type TileScheme = {
	/** ArcGIS `tile/{level}/{row}/{col}` of a cached service, or a URL template. */
	kind: 'arcgis' | 'xyz';
	epsg: number;
	/** The upper-left corner of tile (0, 0) of every level. */
	originX: number;
	originY: number;
	/** Tile size in pixels: `cols` wide, `rows` high. */
	tileWidth: number;
	tileHeight: number;
	/** Finest last. */
	lods: Lod[];
	/** The image format the cache says it holds (JPEG, PNG, MIXED...), when it says. */
	format?: string;
	/** Where the cache has tiles, in its CRS: tiles wholly outside are not asked for. */
	extent?: Bbox;
	/** XYZ: the rows and columns of level z are 0 .. 2^z - 1. */
	worldWide: boolean;
};

/** Web Mercator's half-circumference: the XYZ grid's origin is (-this, +this). */
export const webMercatorHalf = 20_037_508.342789244;

/**
 * An XYZ/WMTS template's scheme: Web Mercator, level 0 one tile for the world, `tileSize` px tiles,
 * levels 0 .. maxLevel.
 */
export function xyzScheme(tileSize: number, maxLevel: number): TileScheme {
	return {
		kind: 'xyz',
		epsg: 3857,
		originX: -webMercatorHalf,
		originY: webMercatorHalf,
		tileWidth: tileSize,
		tileHeight: tileSize,
		lods: Array.from({length: maxLevel + 1}, (_, level) => ({
			level,
			resolution: (2 * webMercatorHalf) / tileSize / 2 ** level,
		})),
		worldWide: true,
	};
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finiteNumber(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function wkidOf(spatialReference: unknown): number | undefined {
	if (!isObject(spatialReference)) return undefined;
	const wkid = finiteNumber(spatialReference.latestWkid) ?? finiteNumber(spatialReference.wkid);
	return wkid !== undefined && Number.isInteger(wkid) && wkid > 0 ? normalizeWkid(wkid) : undefined;
}

/**
 * The scheme in a cached ArcGIS service's `?f=json`: `tileInfo` {rows, cols, origin, lods, spatialReference}.
 * Throws a plain Error saying what is missing; the caller names the layer and URL.
 */
export function parseTileInfo(json: unknown): TileScheme {
	if (!isObject(json)) throw new Error('the service description is not a JSON object');
	const info = json.tileInfo;
	if (!isObject(info)) throw new Error('it has no tileInfo: it is not a cached (tiled) service');
	const rows = finiteNumber(info.rows);
	const cols = finiteNumber(info.cols);
	if (
		!rows ||
		!cols ||
		!Number.isInteger(rows) ||
		!Number.isInteger(cols) ||
		rows < 1 ||
		cols < 1 ||
		rows > 4096 ||
		cols > 4096
	)
		throw new Error(`its tileInfo has no usable tile size (rows ${String(info.rows)}, cols ${String(info.cols)})`);
	const origin = isObject(info.origin) ? info.origin : {};
	const originX = finiteNumber(origin.x);
	const originY = finiteNumber(origin.y);
	if (originX === undefined || originY === undefined) throw new Error('its tileInfo has no origin {x, y}');
	const epsg = wkidOf(info.spatialReference) ?? wkidOf(json.spatialReference);
	if (epsg === undefined) throw new Error('its tileInfo names no spatialReference');
	const lods = (Array.isArray(info.lods) ? info.lods : [])
		.filter(isObject)
		.map((lod) => ({level: finiteNumber(lod.level), resolution: finiteNumber(lod.resolution)}))
		.filter(
			(lod): lod is Lod =>
				lod.level !== undefined && Number.isInteger(lod.level) && lod.level >= 0 && (lod.resolution ?? 0) > 0,
		)
		.sort((a, b) => b.resolution - a.resolution);
	if (lods.length === 0) throw new Error('its tileInfo lists no levels (lods)');
	const extentJson = json.fullExtent ?? json.extent;
	let extent: Bbox | undefined;
	if (isObject(extentJson)) {
		const [xmin, ymin, xmax, ymax] = ['xmin', 'ymin', 'xmax', 'ymax'].map((key) => finiteNumber(extentJson[key]));
		const extentEpsg = wkidOf(extentJson.spatialReference) ?? epsg;
		if (
			xmin !== undefined &&
			ymin !== undefined &&
			xmax !== undefined &&
			ymax !== undefined &&
			xmax > xmin &&
			ymax > ymin &&
			extentEpsg === epsg
		)
			extent = {xmin, ymin, xmax, ymax};
	}
	return {
		kind: 'arcgis',
		epsg,
		originX,
		originY,
		tileWidth: cols,
		tileHeight: rows,
		lods,
		...(typeof info.format === 'string' && {format: info.format}),
		...(extent && {extent}),
		worldWide: false,
	};
}

/** Resolutions that differ by less than this (relative) are the same: 0.5 and 0.49999999 read alike. */
const sameResolution = 1e-6;

/**
 * The level to read for a cell size (in the cache's CRS units): the coarsest level at least as fine as
 * the cell, so no detail is lost and no more is downloaded than needed; the finest level when none is
 * fine enough. A pinned level must be one the cache has (throws a plain Error listing them).
 */
export function chooseLevel(scheme: TileScheme, cellSize: number, pinned?: number): Lod {
	if (pinned !== undefined) {
		const lod = scheme.lods.find((candidate) => candidate.level === pinned);
		if (!lod) {
			const levels = scheme.lods.map((candidate) => candidate.level);
			throw new Error(`the cache has no level ${pinned} (it has levels ${levelList(levels)})`);
		}
		return lod;
	}
	const fineEnough = scheme.lods.filter((lod) => lod.resolution <= cellSize * (1 + sameResolution));
	return fineEnough[0] ?? scheme.lods.at(-1)!;
}

function levelList(levels: number[]): string {
	const sorted = [...levels].sort((a, b) => a - b);
	const contiguous = sorted.every((level, index) => index === 0 || level === sorted[index - 1] + 1);
	return contiguous && sorted.length > 2 ? `${sorted[0]}..${sorted.at(-1)}` : sorted.join(', ');
}

export type TileRange = {level: number; rowMin: number; rowMax: number; colMin: number; colMax: number};

/** A tile's pixel bbox in the cache CRS: columns grow east from the origin, rows south. */
export function tileBbox(scheme: TileScheme, lod: Lod, row: number, col: number): Bbox {
	const spanX = scheme.tileWidth * lod.resolution;
	const spanY = scheme.tileHeight * lod.resolution;
	return {
		xmin: scheme.originX + col * spanX,
		xmax: scheme.originX + (col + 1) * spanX,
		ymax: scheme.originY - row * spanY,
		ymin: scheme.originY - (row + 1) * spanY,
	};
}

/**
 * The tiles of `lod` that cover `bbox` (cache CRS), no row or column before the origin, none past the
 * world for XYZ; undefined when none does.
 */
export function tileRange(scheme: TileScheme, lod: Lod, bbox: Bbox): TileRange | undefined {
	const spanX = scheme.tileWidth * lod.resolution;
	const spanY = scheme.tileHeight * lod.resolution;
	// A bbox edge that falls on a tile edge (to rounding) does not reach into the next tile.
	const edge = 1e-9;
	let colMin = Math.floor((bbox.xmin - scheme.originX) / spanX + edge);
	let colMax = Math.ceil((bbox.xmax - scheme.originX) / spanX - edge) - 1;
	let rowMin = Math.floor((scheme.originY - bbox.ymax) / spanY + edge);
	let rowMax = Math.ceil((scheme.originY - bbox.ymin) / spanY - edge) - 1;
	colMin = Math.max(0, colMin);
	rowMin = Math.max(0, rowMin);
	if (scheme.worldWide) {
		const last = 2 ** lod.level - 1;
		colMax = Math.min(last, colMax);
		rowMax = Math.min(last, rowMax);
	}
	if (colMax < colMin || rowMax < rowMin) return undefined;
	return {level: lod.level, rowMin, rowMax, colMin, colMax};
}

/** Whether the tile lies wholly outside the cache's published extent (so it cannot be in the cache). */
export function outsideExtent(scheme: TileScheme, lod: Lod, row: number, col: number): boolean {
	const {extent} = scheme;
	if (!extent) return false;
	const bbox = tileBbox(scheme, lod, row, col);
	return bbox.xmin >= extent.xmax || bbox.xmax <= extent.xmin || bbox.ymin >= extent.ymax || bbox.ymax <= extent.ymin;
}

/**
 * A tile's URL from an XYZ/WMTS template: {z} {x} {y}, {-y} the TMS row (counted from the south),
 * {s} one of the subdomains (the same for the same tile, spread over neighbours), WMTS's
 * {TileMatrix} {TileRow} {TileCol}, and {token}.
 */
export function templateUrl(
	template: string,
	tile: {level: number; row: number; col: number},
	subdomains?: readonly string[],
	token?: string,
): string {
	const {level, row, col} = tile;
	const flipped = 2 ** level - 1 - row;
	const values: Record<string, string> = {
		z: String(level),
		x: String(col),
		y: String(row),
		'-y': String(flipped),
		tilematrix: String(level),
		tilerow: String(row),
		tilecol: String(col),
	};
	if (subdomains && subdomains.length > 0) values.s = subdomains[(col + row) % subdomains.length];
	if (token !== undefined) values.token = encodeURIComponent(token);
	return template.replace(/\{(-?[A-Za-z]+)\}/g, (whole, name: string) => values[name.toLowerCase()] ?? whole);
}
