/**
 * The tile caches of the local image service: ArcGIS `.../MapServer/tile/{level}/{row}/{col}` of the
 * cached demo services (with their `tileInfo` in `?f=json`) and an XYZ route `/tiles/demo/{z}/{x}/{y}.png`
 * (and its TMS twin, rows counted from the south). A tile the cache does not hold (a level it lacks, a
 * row or column outside it or outside the extent it was built for) is HTTP 404, as on ArcGIS Server.
 */
import sharp from 'sharp';
import {transformExtent} from '../engine/geo/crs.js';
import type {Bbox} from '../engine/geo/georaster.js';
import {renderIn} from './export.js';
import type {PixelSource} from './services.js';

export type TileCacheDef = {
	epsg: number;
	originX: number;
	originY: number;
	tileSize: number;
	/** Coarsest first. */
	lods: Array<{level: number; resolution: number}>;
	format: 'PNG' | 'JPEG';
	/** Where the cache was built, in its CRS: tiles wholly outside are not in it. */
	extent: Bbox;
	/** XYZ: rows and columns of level z run 0 .. 2^z - 1. */
	worldWide?: boolean;
};

export type TileAnswer = {status: number; contentType: string; body: Uint8Array | string};

const dpi = 96;
const metresPerInch = 0.0254;
/** ArcGIS Online's Web Mercator caches write this origin (the XYZ grid's to 2 mm). */
const arcgisWebMercatorOrigin = 20_037_508.342787;
const xyzWebMercatorOrigin = 20_037_508.342789244;

function spatialReference(epsg: number): {wkid: number; latestWkid: number} {
	return epsg === 3857 ? {wkid: 102100, latestWkid: 3857} : {wkid: epsg, latestWkid: epsg};
}

/** The `tileInfo` of a cached service's `?f=json`, with the fields real caches publish. */
export function tileInfoJson(cache: TileCacheDef): Record<string, unknown> {
	return {
		rows: cache.tileSize,
		cols: cache.tileSize,
		dpi,
		format: cache.format,
		compressionQuality: cache.format === 'JPEG' ? 90 : 0,
		origin: {x: cache.originX, y: cache.originY},
		spatialReference: spatialReference(cache.epsg),
		lods: cache.lods.map(({level, resolution}) => ({level, resolution, scale: (resolution * dpi) / metresPerInch})),
	};
}

/** ArcGIS Online's Web Mercator scheme: 256 px, level 0 one tile for the world, levels 0..20. */
export function webMercatorCache(extent: Bbox, format: 'PNG' | 'JPEG'): TileCacheDef {
	return {
		epsg: 3857,
		originX: -arcgisWebMercatorOrigin,
		originY: arcgisWebMercatorOrigin,
		tileSize: 256,
		lods: Array.from({length: 21}, (_, level) => ({
			level,
			resolution: (2 * arcgisWebMercatorOrigin) / 256 / 2 ** level,
		})),
		format,
		extent,
	};
}

/**
 * A custom scheme at the imagery's own 0.5 m, as ArcGIS Server builds for a projected service: the origin
 * at the upper-left of Esri's default Web Mercator domain (whole metres), resolutions 0.5 × 2^k, so level
 * 10 holds the imagery's own pixels on the same 0.5 m grid as any plan whose edges are whole half-metres.
 */
export function nativeCache(extent: Bbox): TileCacheDef {
	return {
		epsg: 3857,
		originX: -20_037_700,
		originY: 30_241_100,
		tileSize: 256,
		lods: Array.from({length: 11}, (_, level) => ({level, resolution: 0.5 * 2 ** (10 - level)})),
		format: 'PNG',
		extent,
	};
}

/** The demo town cached in Swiss LV95 (EPSG:2056) on swisstopo's origin: a cache in another projected CRS. */
export function lv95Cache(extent3857: Bbox): TileCacheDef {
	return {
		epsg: 2056,
		originX: 2_420_000,
		originY: 1_350_000,
		tileSize: 256,
		lods: Array.from({length: 13}, (_, level) => ({level, resolution: 0.25 * 2 ** (12 - level)})),
		format: 'PNG',
		extent: transformExtent(extent3857, 'EPSG:3857', 'EPSG:2056'),
	};
}

/** The XYZ scheme (Google/OSM): Web Mercator, 256 px, levels 0..22. */
export function xyzCache(extent: Bbox): TileCacheDef {
	return {
		epsg: 3857,
		originX: -xyzWebMercatorOrigin,
		originY: xyzWebMercatorOrigin,
		tileSize: 256,
		lods: Array.from({length: 23}, (_, level) => ({level, resolution: (2 * xyzWebMercatorOrigin) / 256 / 2 ** level})),
		format: 'PNG',
		extent,
		worldWide: true,
	};
}

function notFound(what: string, json: boolean): TileAnswer {
	return json
		? {
				status: 404,
				contentType: 'application/json',
				body: JSON.stringify({error: {code: 404, message: 'Not Found', details: [what]}}),
			}
		: {status: 404, contentType: 'text/plain', body: 'Not Found'};
}

function wholeNumber(text: string): number | undefined {
	return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/**
 * The tile at level/row/col of a cache, encoded as the cache's format; 404 where the cache has no tile,
 * 400 (ArcGIS error body) for a level, row or column that is not a whole number.
 */
export async function tileAnswer(
	source: PixelSource,
	cache: TileCacheDef,
	levelText: string,
	rowText: string,
	colText: string,
	options: {json: boolean},
): Promise<TileAnswer> {
	const [level, row, col] = [levelText, rowText, colText].map(wholeNumber);
	if (level === undefined || row === undefined || col === undefined) {
		if (!options.json) return notFound('tile', false);
		return {
			status: 400,
			contentType: 'application/json',
			body: JSON.stringify({
				error: {code: 400, message: 'Invalid URL', details: ['level, row and column must be whole numbers']},
			}),
		};
	}
	const lod = cache.lods.find((candidate) => candidate.level === level);
	if (!lod) return notFound(`level ${level} is not in the cache`, options.json);
	const span = cache.tileSize * lod.resolution;
	if (cache.worldWide && (row >= 2 ** level || col >= 2 ** level)) return notFound('tile', options.json);
	const bbox: Bbox = {
		xmin: cache.originX + col * span,
		xmax: cache.originX + (col + 1) * span,
		ymax: cache.originY - row * span,
		ymin: cache.originY - (row + 1) * span,
	};
	const {extent} = cache;
	if (bbox.xmin >= extent.xmax || bbox.xmax <= extent.xmin || bbox.ymin >= extent.ymax || bbox.ymax <= extent.ymin)
		return notFound(`tile ${level}/${row}/${col} is outside the cache`, options.json);
	const size = cache.tileSize;
	const rendered = renderIn(source, cache.epsg, bbox, size, size, 'bilinear');
	const pixels = size * size;
	const transparent = rendered.valid && rendered.valid.includes(0);
	const channels = transparent ? 4 : 3;
	const picture = new Uint8Array(pixels * channels);
	for (let p = 0; p < pixels; p++) {
		for (let b = 0; b < 3; b++) picture[p * channels + b] = rendered.data[p * source.bands + b];
		if (transparent) picture[p * 4 + 3] = rendered.valid![p] ? 255 : 0;
	}
	const image = sharp(picture, {raw: {width: size, height: size, channels}});
	if (cache.format === 'JPEG' && !transparent)
		return {status: 200, contentType: 'image/jpeg', body: new Uint8Array(await image.jpeg({quality: 90}).toBuffer())};
	return {status: 200, contentType: 'image/png', body: new Uint8Array(await image.png().toBuffer())};
}
