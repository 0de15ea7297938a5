/**
 * `exportImage` (ImageServer) and `export` (MapServer) of the local image service: parameters read as
 * ArcGIS Server reads them, the pixels rendered in the requested CRS, and the image encoded.
 */
import proj4 from 'proj4';
import sharp from 'sharp';
import {ensureCrs, transformExtent} from '../engine/geo/crs.js';
import {pointOutsideCrs} from '../engine/geo/crs-domain.js';
import type {Bbox, GeoRaster} from '../engine/geo/georaster.js';
import {encodeGeoTiff, type EncodableRaster} from '../engine/geo/geotiff.js';
import {gridPoints, samplePoints, type Interpolation} from '../engine/geo/resample.js';
import type {PixelSource, PixelType, Rendered, ServiceDef} from './services.js';

/** An ArcGIS error envelope to answer with: `{"error": {code, message, details}}`. */
export class ArcGisFault extends Error {
	constructor(
		readonly code: number,
		message: string,
		readonly details: string[] = [],
		readonly extendedCode?: number,
		/** Most ArcGIS errors come with HTTP 200; a failed export comes with 500. */
		readonly httpStatus = 200,
	) {
		super(message);
	}

	toJSON(): {error: Record<string, unknown>} {
		const error: Record<string, unknown> = {code: this.code};
		if (this.extendedCode !== undefined) error.extendedCode = this.extendedCode;
		return {error: {...error, message: this.message, details: this.details}};
	}
}

/** The wording measured on a real Image Server (USGS 3DEP), which clients test for. */
function sizeLimitFault(): ArcGisFault {
	return new ArcGisFault(
		400,
		'Invalid or missing input parameters.',
		['The requested image exceeds the size limit.'],
		-2147024809,
	);
}

function invalid(parameter: string): ArcGisFault {
	return new ArcGisFault(
		400,
		'Invalid or missing input parameters.',
		[`'${parameter}' parameter is invalid.`],
		-2147024809,
	);
}

export type ExportResult = {
	bytes: Uint8Array;
	contentType: string;
	extension: string;
	width: number;
	height: number;
	/** The extent the image covers, after the aspect-ratio adjustment, in `epsg`. */
	extent: Bbox;
	epsg: number;
	scale: number;
};

type Format = 'tiff' | 'png' | 'png32' | 'jpg' | 'jpgpng';

/** Samples after the pixelType conversion: 16-bit services answer 16-bit TIFFs. */
type PixelData = Uint8Array | Uint16Array | Float32Array;

/** MapServer `export` formats in Esri's reference; no tiff, jpgpng or lerc, whatever supportedImageFormatTypes says. */
const mapExportFormats = new Set([
	'png',
	'png8',
	'png24',
	'png32',
	'jpg',
	'pdf',
	'bmp',
	'gif',
	'svg',
	'svgz',
	'emf',
	'ps',
]);

const unsupportedFormats = new Set([
	'lerc',
	'bip',
	'bsq',
	'bmp',
	'gif',
	'pdf',
	'svg',
	'svgz',
	'emf',
	'ps',
	'kmz',
	'dib',
]);
const arcgisPixelTypes = new Set([
	'C128',
	'C64',
	'F32',
	'F64',
	'S16',
	'S32',
	'S8',
	'U1',
	'U16',
	'U2',
	'U32',
	'U4',
	'U8',
	'UNKNOWN',
]);
const esriWebMercator = new Set([102100, 102113, 900913]);
const metresPerDegree = 111_319.49;

/** The format names the request may hold and what they come to; unknown names get a JPEG, as on a real server. */
export function formatFor(value: string | undefined, kind: ServiceDef['kind']): {format: Format; knownName: boolean} {
	const name = (value ?? (kind === 'MapServer' ? 'png' : 'jpgpng')).toLowerCase();
	if (kind === 'MapServer' && !mapExportFormats.has(name)) throw invalid('format');
	if (name === 'tiff' || name === 'tif') return {format: 'tiff', knownName: true};
	if (name === 'png' || name === 'png8' || name === 'png24') return {format: 'png', knownName: true};
	if (name === 'png32') return {format: 'png32', knownName: true};
	if (name === 'jpg' || name === 'jpeg') return {format: 'jpg', knownName: true};
	if (name === 'jpgpng') return {format: 'jpgpng', knownName: true};
	if (unsupportedFormats.has(name)) {
		throw new ArcGisFault(400, 'Invalid or missing input parameters.', [
			`Format '${name}' is not supported by the deepmask local image service (use tiff, png or jpg).`,
		]);
	}
	return {format: 'jpgpng', knownName: false};
}

export async function runExport(service: ServiceDef, params: Map<string, string>): Promise<ExportResult> {
	const {source} = service;
	if (service.tilesOnly) {
		throw new ArcGisFault(400, 'Requested operation is not supported by this service.', [
			'The service is a tile-only (hosted tile) layer: read its tiles at tile/{level}/{row}/{col}.',
		]);
	}
	const {format, knownName} = formatFor(params.get('format'), service.kind);
	const requested = parseBbox(params.get('bbox'));
	const [width, height] = parseSize(params.get('size'));
	if (width > service.maxImageWidth || height > service.maxImageHeight) throw sizeLimitFault();
	if (service.failsAbove !== undefined && Math.max(width, height) > service.failsAbove)
		throw new ArcGisFault(500, 'Error exporting image', [], undefined, 500);
	const bboxSR = parseSpatialReference(params.get('bboxsr'), source.epsg, 'bboxSR');
	const imageSR = parseSpatialReference(params.get('imagesr'), source.epsg, 'imageSR');
	let bbox = requested;
	if (bboxSR !== imageSR) {
		try {
			bbox = transformExtent(requested, `EPSG:${bboxSR}`, `EPSG:${imageSR}`);
		} catch {
			throw invalid('bbox');
		}
	}
	if (outsideCrs(requested, bboxSR) || outsideCrs(bbox, imageSR)) throw invalid('bbox');
	if (params.get('adjustaspectratio')?.toLowerCase() !== 'false') bbox = adjustAspect(bbox, width, height);

	const isImageServer = service.kind === 'ImageServer';
	const pixelType = isImageServer ? parsePixelType(params.get('pixeltype'), source.pixelType) : 'U8';
	const bandIds = isImageServer ? parseBandIds(params.get('bandids'), source.bands) : undefined;
	const noData = isImageServer ? parseNumbers(params.get('nodata'), 'noData') : undefined;
	const interpolation = parseInterpolation(params.get('interpolation'));

	const rendered = renderIn(source, imageSR, bbox, width, height, interpolation);
	let bands = source.bands;
	let data: PixelData = rendered.data;
	if (bandIds) {
		data = selectBands(data, bands, bandIds);
		bands = bandIds.length;
	}
	data = convertPixels(data, pixelType);
	// Service nodata: what the data says, else what was asked for, else the source's own.
	const fill = noData ?? (source.nodata === undefined ? undefined : [source.nodata]);
	if (rendered.valid && fill) fillInvalid(data, bands, rendered.valid, fill);
	const transparent = transparency(data, bands, rendered.valid, noData, params.get('nodatainterpretation'));
	const dpi = Number(params.get('dpi') ?? 96) || 96;
	const cell = (bbox.xmax - bbox.xmin) / width;
	const scale = ((isGeographic(imageSR) ? cell * metresPerDegree : cell) * dpi) / 0.0254;
	const base = {width, height, extent: bbox, epsg: imageSR, scale};

	if (format === 'tiff') {
		const raster: EncodableRaster = {width, height, bands, data, bbox, epsg: imageSR};
		const nodata = fill?.[0];
		if (nodata !== undefined) raster.nodata = nodata;
		// As ArcGIS: uncompressed unless the request asks for compression=LZ77 (deflate).
		const compression = params.get('compression')?.toLowerCase() === 'lz77' ? 'deflate' : 'none';
		return {...base, bytes: await encodeGeoTiff(raster, {compression}), contentType: 'image/tiff', extension: 'tif'};
	}
	const picture = toPicture(data, bands, transparent);
	const wantsAlpha =
		format === 'png32' ||
		((format === 'png' || format === 'jpgpng') &&
			transparent !== undefined &&
			(params.get('transparent') ?? 'true').toLowerCase() !== 'false');
	if (format === 'jpg' || (format === 'jpgpng' && !wantsAlpha)) {
		const quality = Math.min(100, Math.max(1, Number(params.get('compressionquality') ?? 75) || 75));
		const bytes = await sharp(picture.data, {raw: {width, height, channels: picture.channels}})
			.jpeg({quality})
			.toBuffer();
		return {
			...base,
			bytes: new Uint8Array(bytes),
			contentType: knownName ? 'image/jpeg' : 'application/octet-stream',
			extension: 'jpg',
		};
	}
	const withAlpha = wantsAlpha ? addAlpha(picture, transparent) : picture;
	const bytes = await sharp(withAlpha.data, {raw: {width, height, channels: withAlpha.channels}})
		.png()
		.toBuffer();
	return {...base, bytes: new Uint8Array(bytes), contentType: 'image/png', extension: 'png'};
}

function parseBbox(value: string | undefined): Bbox {
	const numbers = (value ?? '').split(',').map((part) => Number(part.trim()));
	if (numbers.length !== 4 || !numbers.every(Number.isFinite)) throw invalid('bbox');
	const [xmin, ymin, xmax, ymax] = numbers;
	if (!(xmax > xmin && ymax > ymin)) throw invalid('bbox');
	return {xmin, ymin, xmax, ymax};
}

/** Whether the bbox leaves the area where its CRS means anything (Web Mercator x of 1e300): an invalid extent. */
function outsideCrs(bbox: Bbox, epsg: number): boolean {
	if (isGeographic(epsg)) return bbox.xmin < -180 || bbox.xmax > 180 || bbox.ymin < -90 || bbox.ymax > 90;
	return pointOutsideCrs(bbox, `EPSG:${epsg}`) !== undefined;
}

function parseSize(value: string | undefined): [number, number] {
	if (value === undefined || value === '') return [400, 400];
	const numbers = value.split(',').map((part) => Number(part.trim()));
	if (numbers.length !== 2 || !numbers.every((n) => Number.isInteger(n) && n > 0)) throw invalid('size');
	return [numbers[0], numbers[1]];
}

/** A WKID or spatial reference JSON; Esri's Web Mercator WKIDs read as EPSG:3857. */
function parseSpatialReference(value: string | undefined, fallback: number, parameter: string): number {
	if (value === undefined || value.trim() === '') return fallback;
	let wkid: number;
	if (value.trim().startsWith('{')) {
		try {
			const json = JSON.parse(value) as {wkid?: unknown; latestWkid?: unknown};
			wkid = Number(json.latestWkid ?? json.wkid);
		} catch {
			throw invalid(parameter);
		}
	} else {
		wkid = Number(value);
	}
	if (!Number.isInteger(wkid) || wkid <= 0) throw invalid(parameter);
	const epsg = esriWebMercator.has(wkid) ? 3857 : wkid;
	if (epsg === fallback) return epsg;
	try {
		ensureCrs(`EPSG:${epsg}`);
	} catch {
		throw invalid(parameter);
	}
	return epsg;
}

/** With adjustAspectRatio (the default) the short side of the bbox grows about its centre until pixels are square. */
function adjustAspect(bbox: Bbox, width: number, height: number): Bbox {
	const cellX = (bbox.xmax - bbox.xmin) / width;
	const cellY = (bbox.ymax - bbox.ymin) / height;
	// Leave a bbox that is square to within rounding untouched, so exact grids stay exact.
	if (Math.abs(cellX - cellY) <= 1e-9 * Math.max(cellX, cellY)) return bbox;
	const cell = Math.max(cellX, cellY);
	const cx = (bbox.xmin + bbox.xmax) / 2;
	const cy = (bbox.ymin + bbox.ymax) / 2;
	if (cellX < cellY)
		return {xmin: cx - (cell * width) / 2, ymin: bbox.ymin, xmax: cx + (cell * width) / 2, ymax: bbox.ymax};
	return {xmin: bbox.xmin, ymin: cy - (cell * height) / 2, xmax: bbox.xmax, ymax: cy + (cell * height) / 2};
}

function parsePixelType(value: string | undefined, native: PixelType): PixelType {
	const name = (value ?? 'UNKNOWN').toUpperCase();
	if (!arcgisPixelTypes.has(name)) throw invalid('pixelType');
	if (name === 'UNKNOWN') return native;
	if (name === 'U8' || name === 'U16' || name === 'F32') return name;
	throw new ArcGisFault(400, 'Invalid or missing input parameters.', [
		`pixelType ${name} is not supported by the deepmask local image service (use U8, U16, F32 or UNKNOWN).`,
	]);
}

function parseBandIds(value: string | undefined, bands: number): number[] | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const ids = value.split(',').map((part) => Number(part.trim()));
	if (!ids.every((id) => Number.isInteger(id) && id >= 0 && id < bands)) throw invalid('bandIds');
	return ids;
}

function parseNumbers(value: string | undefined, parameter: string): number[] | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	return value.split(',').map((part) => {
		const text = part.trim().toLowerCase();
		if (text === 'nan') return Number.NaN;
		const number = Number(text);
		if (text === '' || !Number.isFinite(number)) throw invalid(parameter);
		return number;
	});
}

function parseInterpolation(value: string | undefined): Interpolation {
	const name = (value ?? '').toLowerCase();
	// Cubic convolution is served as bilinear: close enough for an emulator, and still smooth.
	return name === 'rsp_bilinearinterpolation' || name === 'rsp_cubicconvolution' ? 'bilinear' : 'nearest';
}

function isGeographic(epsg: number): boolean {
	try {
		return proj4.defs(`EPSG:${epsg}`)?.projName === 'longlat';
	} catch {
		return false;
	}
}

/** The source's pixels on the output grid: directly in its own CRS, else point by point through proj4. */
export function renderIn(
	source: PixelSource,
	epsg: number,
	bbox: Bbox,
	width: number,
	height: number,
	interpolation: Interpolation,
): Rendered {
	if (epsg === source.epsg) return source.render(bbox, width, height, interpolation);
	ensureCrs(`EPSG:${source.epsg}`);
	const toSource = proj4(`EPSG:${epsg}`, `EPSG:${source.epsg}`);
	const {xs, ys} = gridPoints(bbox, width, height);
	for (let k = 0; k < xs.length; k++) {
		const [x, y] = toSource.forward([xs[k], ys[k]]);
		xs[k] = x;
		ys[k] = y;
	}
	if (source.sample) return source.sample(xs, ys, interpolation);
	// A source that renders grids only: render the points' envelope at about their spacing, then sample it.
	let xmin = Infinity;
	let ymin = Infinity;
	let xmax = -Infinity;
	let ymax = -Infinity;
	for (let k = 0; k < xs.length; k++) {
		xmin = Math.min(xmin, xs[k]);
		xmax = Math.max(xmax, xs[k]);
		ymin = Math.min(ymin, ys[k]);
		ymax = Math.max(ymax, ys[k]);
	}
	const cell = Math.sqrt(((xmax - xmin) * (ymax - ymin)) / (width * height)) || 1;
	const envelope = {xmin: xmin - cell, ymin: ymin - cell, xmax: xmax + cell, ymax: ymax + cell};
	const gridWidth = Math.min(4096, Math.max(1, Math.ceil((envelope.xmax - envelope.xmin) / cell)));
	const gridHeight = Math.min(4096, Math.max(1, Math.ceil((envelope.ymax - envelope.ymin) / cell)));
	const grid = source.render(envelope, gridWidth, gridHeight, interpolation);
	const raster: GeoRaster = {
		width: gridWidth,
		height: gridHeight,
		bands: source.bands,
		data: grid.data,
		bbox: envelope,
		epsg: source.epsg,
	};
	return samplePoints(raster, xs, ys, interpolation);
}

function selectBands(data: PixelData, bands: number, ids: number[]): PixelData {
	const pixels = data.length / bands;
	const out = new (data.constructor as new (length: number) => PixelData)(pixels * ids.length);
	for (let p = 0; p < pixels; p++) {
		for (let k = 0; k < ids.length; k++) out[p * ids.length + k] = data[p * bands + ids[k]];
	}
	return out;
}

/** pixelType conversion happens before encoding and truncates out-of-range values, as ArcGIS does. */
function convertPixels(data: PixelData, pixelType: PixelType): PixelData {
	if (pixelType === 'F32') return data instanceof Float32Array ? data : Float32Array.from(data);
	const [Type, max] = pixelType === 'U8' ? [Uint8Array, 255] : [Uint16Array, 65_535];
	if (data instanceof Type) return data;
	const out = new Type(data.length);
	for (let k = 0; k < data.length; k++) out[k] = Math.min(max, Math.max(0, Math.trunc(data[k]) || 0));
	return out;
}

function fillInvalid(data: PixelData, bands: number, valid: Uint8Array, fill: number[]): void {
	for (let p = 0; p < valid.length; p++) {
		if (valid[p]) continue;
		for (let b = 0; b < bands; b++) data[p * bands + b] = fill[Math.min(b, fill.length - 1)];
	}
}

/**
 * Pixels to show transparent in PNG: no data, or matching noData (any band for a single value,
 * all bands for a list, unless noDataInterpretation says otherwise). Undefined when there are none.
 */
function transparency(
	data: PixelData,
	bands: number,
	valid: Uint8Array | undefined,
	noData: number[] | undefined,
	interpretation: string | undefined,
): Uint8Array | undefined {
	const pixels = data.length / bands;
	const clear = new Uint8Array(pixels);
	let any = false;
	const matchAll = interpretation ? interpretation.toLowerCase() === 'esrinodatamatchall' : (noData?.length ?? 0) > 1;
	for (let p = 0; p < pixels; p++) {
		let hit = valid !== undefined && !valid[p];
		if (!hit && noData) {
			let matches = 0;
			for (let b = 0; b < bands; b++) if (data[p * bands + b] === noData[Math.min(b, noData.length - 1)]) matches++;
			hit = matchAll ? matches === bands : matches > 0;
		}
		if (hit) {
			clear[p] = 1;
			any = true;
		}
	}
	return any ? clear : undefined;
}

/** 8-bit grey or RGB for PNG/JPEG; other pixel types get the default min–max stretch (of the pixels with data) of ArcGIS pictures. */
function toPicture(data: PixelData, bands: number, clear: Uint8Array | undefined): {data: Uint8Array; channels: 1 | 3} {
	const channels = bands >= 3 ? 3 : 1;
	const pixels = data.length / bands;
	const out = new Uint8Array(pixels * channels);
	let lo = 0;
	let span = 1;
	if (!(data instanceof Uint8Array)) {
		let min = Infinity;
		let max = -Infinity;
		for (let k = 0; k < data.length; k++) {
			if (clear?.[Math.floor(k / bands)]) continue;
			if (data[k] < min) min = data[k];
			if (data[k] > max) max = data[k];
		}
		lo = Number.isFinite(min) ? min : 0;
		span = max > min ? (max - min) / 255 : 1;
	}
	for (let p = 0; p < pixels; p++) {
		for (let c = 0; c < channels; c++) out[p * channels + c] = (data[p * bands + c] - lo) / span;
	}
	return {data: out, channels};
}

function addAlpha(
	picture: {data: Uint8Array; channels: 1 | 3},
	clear: Uint8Array | undefined,
): {data: Uint8Array; channels: 2 | 4} {
	const {data, channels} = picture;
	const pixels = data.length / channels;
	const out = new Uint8Array(pixels * (channels + 1));
	for (let p = 0; p < pixels; p++) {
		for (let c = 0; c < channels; c++) out[p * (channels + 1) + c] = data[p * channels + c];
		out[p * (channels + 1) + channels] = clear?.[p] ? 0 : 255;
	}
	return {data: out, channels: (channels + 1) as 2 | 4};
}
