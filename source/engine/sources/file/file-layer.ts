/**
 * One preset layer (rgb or dsm) read from a GeoTIFF or Cloud-Optimized GeoTIFF, local or over http(s).
 *
 * Opening reads the header only: the image and its overviews (and internal masks), the CRS (EPSG or Esri
 * code, also from citations), the bands, nodata and statistics. For each plan tile it reads the window of
 * the level gdalwarp would read for the plan's cell size (its `-ovr AUTO` choice), a few pixels wider for
 * the resampling kernel, and warps it onto the tile's grid with engine/geo/warp.ts, which samples as
 * gdalwarp does. Windows outside the file are nodata. Band choice, the 8-bit stretch and nodata follow the
 * ImageServer source's rules.
 */
import {stat} from 'node:fs/promises';
import proj4 from 'proj4';
import {GeoTIFF, type GeoTIFFImage} from 'geotiff';
import {abortError, messageOf, RunError, UserError} from '../../../errors.js';
import type {FileLayerConfig, LayerName} from '../../../config/preset-schema.js';
import type {Bbox, GeoRaster} from '../../geo/georaster.js';
import {crsName, ensureCrs, transformExtent} from '../../geo/crs.js';
import {crsCodeOfGeoKeys} from '../../geo/geotiff-crs.js';
import {geoTiffPlace} from '../../geo/geotiff-place.js';
import {transformPoints, warpToGrid} from '../../geo/warp.js';
import type {LayerFingerprint} from '../../run-folder/tile-fingerprint.js';
import {redact} from '../redact.js';
import {rgbBandIds} from '../rgb-bands.js';
import {stretchToU8, type Stretch} from '../stretch.js';
import {bodyTooLarge, TransportError} from '../transport.js';
import {
	defaultFloatNodata,
	type FetchedRaster,
	type ImageSource,
	type OpenedSource,
	type RasterRequest,
	type RequestHooks,
	requestUrl,
	type SourceContext,
	type SourceDescription,
} from '../source.js';
import {ByteSource, httpReader, localReader, RangeProblem, type ReadAccount, type RangeReader} from './byte-source.js';

const Subfile = {reduced: 1, mask: 4} as const;
const Photometric = {minIsBlack: 1, rgb: 2, ycbcr: 6} as const;
const SampleFormat = {uint: 1, int: 2, float: 3} as const;

/** One resolution of the file: the full image or an overview, with its internal mask when it has one. */
export type Level = {image: GeoTIFFImage; mask?: GeoTIFFImage; width: number; height: number};

/** What the file holds, read from its header. */
type FileInfo = {
	levels: Level[];
	/** The full image's outer edges, in its CRS. */
	bbox: Bbox;
	code: number;
	samples: number;
	/** The sample index of an alpha band, when there is one. */
	alpha: number | undefined;
	/** Bands that are not alpha. */
	bandCount: number;
	/** "U8", "U16", "I16", "F32", "F64", … */
	sampleType: string;
	nodata: number | undefined;
	/** Band descriptions (GDAL_METADATA DESCRIPTION), by sample; '' where none. */
	descriptions: string[];
	/** Band statistics (GDAL_METADATA STATISTICS_MINIMUM/MAXIMUM), by sample. */
	statistics: ({min: number; max: number} | undefined)[];
};

export function isUrl(path: string): boolean {
	return /^https?:\/\//i.test(path);
}

/**
 * gdalwarp's automatic overview choice (GDAL 3.x gdalwarp_lib.cpp, `-ovr AUTO`): the coarsest level whose
 * downsampling factor is below `ratio` (target cell over the file's own), or within 0.1 of it. Factors are
 * the full width over the level's width, as GDAL computes them. Returns the index into `widths`.
 */
export function chooseLevel(widths: number[], ratio: number): number {
	if (!(ratio > 1) || widths.length < 2) return 0;
	let level = 0;
	for (; level < widths.length - 1; level++) {
		const factor = widths[0] / widths[level];
		const next = widths[0] / widths[level + 1];
		if (factor < ratio && next > ratio) break;
		if (Math.abs(factor - ratio) < 0.1) break;
	}
	return level;
}

/** "U8", "I16", "F32", … from BitsPerSample and SampleFormat. */
function sampleTypeOf(image: GeoTIFFImage): string {
	const directory = image.getFileDirectory();
	const bits = first(directory.getValue('BitsPerSample')) ?? 8;
	const format = first(directory.getValue('SampleFormat')) ?? SampleFormat.uint;
	const letter = format === SampleFormat.float ? 'F' : format === SampleFormat.int ? 'I' : 'U';
	return `${letter}${bits}`;
}

function first(value: unknown): number | undefined {
	if (typeof value === 'number') return value;
	const array = value as ArrayLike<number> | undefined;
	return array && array.length > 0 ? Number(array[0]) : undefined;
}

class FileLayer implements OpenedSource {
	readonly nodata: number | undefined;
	private readonly role: LayerName;
	private readonly bands: number[];
	private readonly stretch: Stretch | undefined;
	/** Sample values that mean "no data" besides NaN: the file's nodata and the preset's. */
	private readonly marks: number[];
	/** The level read for the plan's cell size: 0 the full image, n its n-th overview. */
	private readonly level: number;
	/** The plan's cell size over the file's, in the plan CRS (gdalwarp's target ratio). */
	private readonly ratio: number;

	private constructor(
		private readonly layer: FileLayerConfig,
		private readonly info: FileInfo,
		private readonly bytes: ByteSource,
		private readonly context: SourceContext,
		private readonly identity: {size: number | undefined; modified?: string},
	) {
		this.role = context.role;
		this.bands = chooseBands(context.role, layer, info);
		this.stretch = context.role === 'rgb' ? chooseStretch(layer, info, this.bands) : undefined;
		this.marks = [info.nodata, layer.nodata].filter(
			(value): value is number => value !== undefined && !Number.isNaN(value),
		);
		const fileNodata = info.nodata !== undefined && !Number.isNaN(info.nodata) ? info.nodata : undefined;
		this.nodata = context.role === 'dsm' ? (layer.nodata ?? fileNodata ?? defaultFloatNodata) : undefined;
		this.ratio = context.cellSize / naturalResolution(info, context.epsg);
		this.level = chooseLevel(
			info.levels.map((level) => level.width),
			this.ratio,
		);
	}

	static async open(layer: FileLayerConfig, context: SourceContext): Promise<FileLayer> {
		const {role} = context;
		checkLayerSettings(role, layer);
		const {reader, modified} = await openReader(role, layer, context);
		const bytes = new ByteSource(reader);
		let info: FileInfo;
		try {
			info = await readInfo(role, layer, bytes, context.signal);
		} catch (error) {
			await bytes.close().catch(() => {});
			throw error;
		}
		const opened = new FileLayer(layer, info, bytes, context, {size: reader.size(), modified});
		opened.checkCoverage();
		return opened;
	}

	fingerprint(): LayerFingerprint {
		const {layer} = this;
		const fingerprint: LayerFingerprint = {
			path: redact(layer.path),
			kind: layer.kind,
			bandIds: layer.bandIds ?? null,
			pixelType: layer.pixelType,
			nodata: this.nodata ?? layer.nodata ?? null,
			resampling: layer.resampling,
			// The file itself: a new version of it at the same path fetches the tiles again.
			fileSize: this.identity.size ?? null,
		};
		if (this.identity.modified) fingerprint.fileModified = this.identity.modified;
		if (this.stretch) fingerprint.stretch = this.stretch;
		return fingerprint;
	}

	describe(): SourceDescription {
		const {levels} = this.info;
		const resolution = this.resolution(0);
		const unit = crsUnit(this.info.code);
		const at = (index: number) => `${formatNumber(this.resolution(index))}${unit ? ` ${unit}` : ''}`;
		const reads =
			this.level === 0
				? `full resolution (${at(0)})${levels.length > 1 ? `, ${levels.length - 1} overview(s) unused` : ', no overviews'}`
				: `overview ${this.level} of ${levels.length - 1} (${at(this.level)})`;
		return {
			kind: 'file',
			crs: crsName(this.info.code),
			resolution,
			reads: `${reads}, ${this.info.sampleType} band(s) ${this.bands.join(',')}, ${this.layer.resampling} to EPSG:${this.context.epsg}`,
		};
	}

	/** Cell size of a level in the file's CRS (x), as GDAL reckons an overview's: the full extent over its width. */
	private resolution(level: number): number {
		const {bbox, levels} = this.info;
		return (bbox.xmax - bbox.xmin) / levels[level].width;
	}

	async fetch(request: RasterRequest, hooks: RequestHooks): Promise<FetchedRaster> {
		const {width, height} = request;
		const account: ReadAccount = {bytes: 0, attempts: 0, onRetry: hooks.onRetry};
		if (hooks.onBytes) account.onBytes = (bytes) => hooks.onBytes!(bytes);
		// A signal of this fetch's own, so that the reads geotiff.js makes for it are counted here.
		const signal = AbortSignal.any([hooks.signal]);
		this.bytes.track(signal, account);
		let window: GeoRaster | undefined;
		try {
			window = await this.readWindow(request, signal);
		} catch (error) {
			if (hooks.signal.aborted) throw abortError(hooks.signal);
			throw this.readError(error);
		}
		const raster = window ? this.warp(window, request) : this.emptyRaster(request.bbox, width, height);
		return {
			raster,
			urls: [redact(this.bytes.reader.name)],
			attempts: Math.max(1, account.attempts),
			bytes: account.bytes,
		};
	}

	/** The pixels of the level read for this request around the request's footprint; undefined when it misses the file. */
	private async readWindow(request: RasterRequest, signal: AbortSignal): Promise<GeoRaster | undefined> {
		const level = this.info.levels[this.level];
		const {bbox: fileBbox, code} = this.info;
		const footprint =
			code === this.context.epsg
				? request.bbox
				: transformExtent(request.bbox, `EPSG:${this.context.epsg}`, `EPSG:${code}`);
		const cellX = (fileBbox.xmax - fileBbox.xmin) / level.width;
		const cellY = (fileBbox.ymax - fileBbox.ymin) / level.height;
		// Room for the kernel: gdalwarp's bilinear widens to ⌈source pixels per target pixel⌉ when downsampling.
		const perPixelX = (request.bbox.xmax - request.bbox.xmin) / request.width / cellX;
		const pad = this.layer.resampling === 'bilinear' ? Math.ceil(Math.max(1, perPixelX * 1.5)) + 2 : 2;
		const x0 = Math.max(0, Math.floor((footprint.xmin - fileBbox.xmin) / cellX) - pad);
		const x1 = Math.min(level.width, Math.ceil((footprint.xmax - fileBbox.xmin) / cellX) + pad);
		const y0 = Math.max(0, Math.floor((fileBbox.ymax - footprint.ymax) / cellY) - pad);
		const y1 = Math.min(level.height, Math.ceil((fileBbox.ymax - footprint.ymin) / cellY) + pad);
		if (!(x1 > x0 && y1 > y0)) return undefined;
		const samples = this.info.alpha === undefined ? this.bands : [...this.bands, this.info.alpha];
		const [values, mask] = await Promise.all([
			level.image.readRasters({window: [x0, y0, x1, y1], samples: [...samples], interleave: true, signal}),
			level.mask?.readRasters({window: [x0, y0, x1, y1], samples: [0], interleave: true, signal}),
		]);
		const pixels = (x1 - x0) * (y1 - y0);
		const bands = this.bands.length;
		const read = values as unknown as ArrayLike<number>;
		const bytes = this.info.sampleType === 'U8' && this.role === 'rgb';
		const data = bytes ? new Uint8Array(pixels * bands) : new Float32Array(pixels * bands);
		let nodataMask: Uint8Array | undefined;
		const stride = samples.length;
		// Compared as the samples are stored: a float32 file's nodata as float32 (GDAL_NODATA is text).
		const marks = this.info.sampleType === 'F32' ? this.marks.map(Math.fround) : this.marks;
		for (let p = 0; p < pixels; p++) {
			let missing = true;
			for (let b = 0; b < bands; b++) {
				const value = read[p * stride + b];
				data[p * bands + b] = value;
				if (!(Number.isNaN(value) || marks.includes(value))) missing = false;
			}
			if (this.info.alpha !== undefined && read[p * stride + bands] === 0) missing = true;
			if (mask && (mask as unknown as ArrayLike<number>)[p] === 0) missing = true;
			if (missing) {
				nodataMask ??= new Uint8Array(pixels);
				nodataMask[p] = 1;
			}
		}
		const raster: GeoRaster = {
			width: x1 - x0,
			height: y1 - y0,
			bands,
			data,
			bbox: {
				xmin: fileBbox.xmin + x0 * cellX,
				xmax: fileBbox.xmin + x1 * cellX,
				ymax: fileBbox.ymax - y0 * cellY,
				ymin: fileBbox.ymax - y1 * cellY,
			},
			epsg: code,
		};
		if (nodataMask) raster.nodataMask = nodataMask;
		return raster;
	}

	private warp(window: GeoRaster, request: RasterRequest): GeoRaster {
		const {width, height} = request;
		const target = {bbox: request.bbox, width, height, epsg: this.context.epsg};
		const sampled = warpToGrid(window, target, this.layer.resampling);
		const raster = this.emptyRaster(request.bbox, width, height);
		const pixels = width * height;
		if (this.role === 'dsm') {
			const out = raster.data as Float32Array;
			for (let p = 0; p < pixels; p++) out[p] = sampled.valid[p] ? sampled.data[p] : this.nodata!;
			return raster;
		}
		const rgb = sampled.data instanceof Uint8Array ? sampled.data : stretchToU8(sampled.data, 3, this.stretch!);
		const out = raster.data as Uint8Array;
		let nodataMask: Uint8Array | undefined;
		for (let p = 0; p < pixels; p++) {
			if (sampled.valid[p]) {
				out[p * 3] = rgb[p * 3];
				out[p * 3 + 1] = rgb[p * 3 + 1];
				out[p * 3 + 2] = rgb[p * 3 + 2];
				continue;
			}
			nodataMask ??= new Uint8Array(pixels);
			nodataMask[p] = 1;
		}
		if (nodataMask) raster.nodataMask = nodataMask;
		else delete raster.nodataMask;
		return raster;
	}

	/** A tile without data: DSM at nodata, RGB black and masked. */
	private emptyRaster(bbox: Bbox, width: number, height: number): GeoRaster {
		const pixels = width * height;
		const {epsg} = this.context;
		if (this.role === 'dsm') {
			return {
				width,
				height,
				bands: 1,
				data: new Float32Array(pixels).fill(this.nodata!),
				bbox: {...bbox},
				epsg,
				nodata: this.nodata,
			};
		}
		return {
			width,
			height,
			bands: 3,
			data: new Uint8Array(pixels * 3),
			bbox: {...bbox},
			epsg,
			nodataMask: new Uint8Array(pixels).fill(1),
		};
	}

	private readError(error: unknown): Error {
		const where = `layers.${this.role}: ${redact(this.bytes.reader.name)}`;
		if (error instanceof UserError || error instanceof RunError) return error;
		if (error instanceof RangeProblem) {
			if (error.status === 404 || error.status === 410)
				return new UserError(`${where} is gone (HTTP ${error.status}); check layers.${this.role}.path`);
			return new RunError(`${where}: ${error.message}`);
		}
		if (error instanceof TransportError) return new RunError(`${where}: ${redact(error.message)}`);
		return new RunError(`${where}: cannot read a window of the file (${messageOf(error)}); the file may be damaged`);
	}

	private checkCoverage(): void {
		const {planExtent, epsg} = this.context;
		if (!planExtent) return;
		let extent: Bbox;
		try {
			extent = transformExtent(this.info.bbox, `EPSG:${this.info.code}`, `EPSG:${epsg}`);
		} catch {
			return;
		}
		const overlaps =
			extent.xmin < planExtent.xmax &&
			extent.xmax > planExtent.xmin &&
			extent.ymin < planExtent.ymax &&
			extent.ymax > planExtent.ymin;
		const covers =
			extent.xmin <= planExtent.xmin &&
			extent.xmax >= planExtent.xmax &&
			extent.ymin <= planExtent.ymin &&
			extent.ymax >= planExtent.ymax;
		const name = redact(this.bytes.reader.name);
		if (!overlaps) {
			this.context.onLog?.(
				'warn',
				`layers.${this.role}: the plan's extent lies outside ${name}; its tiles will hold only nodata`,
			);
		} else if (!covers) {
			this.context.onLog?.(
				'warn',
				`layers.${this.role}: ${name} covers only part of the plan's extent; tiles beyond it hold nodata there`,
			);
		}
		const levelFactor = this.info.levels[0].width / this.info.levels[this.level].width;
		if (this.ratio / levelFactor > 4) {
			this.context.onLog?.(
				'warn',
				`layers.${this.role}: ${name} has no overview near the plan's cell size (it is ${formatNumber(this.ratio)}× the file's): every tile reads ${Math.round((this.ratio / levelFactor) ** 2)}× its pixels; add overviews, e.g. \`gdaladdo -r average FILE\``,
			);
		}
	}
}

/** The file's own cell size in the plan CRS: the diagonal of its extent transformed, over its diagonal in pixels (GDALSuggestedWarpOutput's estimate). */
function naturalResolution(info: FileInfo, planEpsg: number): number {
	const {bbox, code, levels} = info;
	const {width, height} = levels[0];
	if (code === planEpsg) return (bbox.xmax - bbox.xmin) / width;
	const xs = Float64Array.of(bbox.xmin, bbox.xmax);
	const ys = Float64Array.of(bbox.ymax, bbox.ymin);
	try {
		transformPoints(xs, ys, code, planEpsg);
	} catch {
		return (bbox.xmax - bbox.xmin) / width;
	}
	const diagonal = Math.hypot(xs[1] - xs[0], ys[1] - ys[0]);
	const resolution = diagonal / Math.hypot(width, height);
	return Number.isFinite(resolution) && resolution > 0 ? resolution : (bbox.xmax - bbox.xmin) / width;
}

function crsUnit(code: number): string {
	try {
		ensureCrs(`EPSG:${code}`);
		const units = String((proj4.defs(`EPSG:${code}`) as {units?: string} | undefined)?.units ?? '');
		return units === 'm' ? 'm' : units === 'degrees' ? '°' : units;
	} catch {
		return '';
	}
}

function formatNumber(value: number): string {
	return Number(value.toPrecision(4)).toString();
}

function checkLayerSettings(role: LayerName, layer: FileLayerConfig): void {
	const wanted = role === 'rgb' ? 'U8' : 'F32';
	if (layer.pixelType !== wanted) {
		throw new UserError(
			`layers.${role}.pixelType must be ${wanted} (${role === 'rgb' ? 'RGB tiles are 3 × uint8; 16-bit or float files are stretched to it' : 'DSM tiles are float32 heights'})`,
		);
	}
	const bands = role === 'rgb' ? 3 : 1;
	if (layer.bandIds && layer.bandIds.length !== bands) {
		throw new UserError(
			`layers.${role}.bandIds ${JSON.stringify(layer.bandIds)}: the ${role} layer needs exactly ${bands} band(s)`,
		);
	}
}

async function openReader(
	role: LayerName,
	layer: FileLayerConfig,
	context: SourceContext,
): Promise<{reader: RangeReader; modified?: string}> {
	if (isUrl(layer.path)) {
		const url = requestUrl(context, layer.path);
		return {
			reader: httpReader({
				url,
				name: layer.path,
				transport: context.transport,
				retry: context.retry,
				signal: context.signal,
			}),
		};
	}
	let info;
	try {
		info = await stat(layer.path);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new UserError(
			code === 'ENOENT'
				? `layers.${role}.path: no file at ${layer.path}; check the path (a relative path is relative to the preset file)`
				: `layers.${role}.path: cannot read ${layer.path} (${code ?? messageOf(error)}); check the file and its permissions`,
		);
	}
	if (!info.isFile())
		throw new UserError(`layers.${role}.path: ${layer.path} is a folder, not a GeoTIFF; name the .tif file`);
	try {
		return {reader: await localReader(layer.path), modified: info.mtime.toISOString()};
	} catch (error) {
		throw new UserError(`layers.${role}.path: cannot read ${layer.path} (${messageOf(error)}); check its permissions`);
	}
}

/** The header: levels, georeferencing, CRS, bands. Throws UserError naming the file and the fix. */
async function readInfo(
	role: LayerName,
	layer: FileLayerConfig,
	bytes: ByteSource,
	signal: AbortSignal | undefined,
): Promise<FileInfo> {
	const name = redact(layer.path);
	const where = `layers.${role}.path: ${name}`;
	let tiff: GeoTIFF;
	let images: GeoTIFFImage[];
	try {
		tiff = await GeoTIFF.fromSource(bytes.asTiffSource(), undefined, signal);
		const count = await tiff.getImageCount();
		images = await Promise.all(Array.from({length: count}, (_, index) => tiff.getImage(index)));
	} catch (error) {
		if (signal?.aborted) throw abortError(signal);
		throw openError(where, error);
	}
	const main = images[0];
	const subfile = (image: GeoTIFFImage) => Number(image.getFileDirectory().getValue('NewSubfileType') ?? 0);
	const place = geoTiffPlace(main);
	if (!place)
		throw new UserError(
			`${where} has no georeferencing (no tie point and pixel size); georeference it, e.g. with gdal_translate -a_ullr or gdalwarp`,
		);
	const transformation = main.getFileDirectory().getValue('ModelTransformation') as ArrayLike<number> | undefined;
	if (transformation && (transformation[1] !== 0 || transformation[4] !== 0))
		throw new UserError(
			`${where} is rotated (a ModelTransformation with rotation terms); warp it north-up first, e.g. gdalwarp FILE north-up.tif`,
		);
	if (place.crs === undefined)
		throw new UserError(
			`${where} says nothing of its CRS (no GeoKeys); assign it, e.g. \`gdal_edit.py -a_srs EPSG:XXXX FILE\``,
		);
	let code: number;
	try {
		code = crsCodeOfGeoKeys(main.getGeoKeys() ?? {});
	} catch (error) {
		throw new UserError(`${where}: ${messageOf(error)}`);
	}
	try {
		ensureCrs(`EPSG:${code}`);
	} catch (error) {
		throw new UserError(`${where}: its CRS ${crsName(code)}: ${messageOf(error)}`);
	}

	const levels: Level[] = [{image: main, width: main.getWidth(), height: main.getHeight()}];
	const masks: GeoTIFFImage[] = [];
	for (const image of images.slice(1)) {
		const type = subfile(image);
		if (type & Subfile.mask) masks.push(image);
		else if (type & Subfile.reduced && image.getSamplesPerPixel() === main.getSamplesPerPixel())
			levels.push({image, width: image.getWidth(), height: image.getHeight()});
	}
	levels.sort((a, b) => b.width - a.width);
	for (const mask of masks) {
		const level = levels.find(
			(candidate) => candidate.width === mask.getWidth() && candidate.height === mask.getHeight(),
		);
		if (level && !level.mask) level.mask = mask;
	}

	const directory = main.getFileDirectory();
	const samples = main.getSamplesPerPixel();
	const photometric = Number(directory.getValue('PhotometricInterpretation') ?? Photometric.minIsBlack);
	const colourSamples = photometric === Photometric.rgb || photometric === Photometric.ycbcr ? 3 : 1;
	const extra = directory.getValue('ExtraSamples') as number | ArrayLike<number> | undefined;
	const extras = extra === undefined ? [] : typeof extra === 'number' ? [extra] : Array.from(extra);
	const alphaAt = extras.findIndex((value) => value === 1 || value === 2);
	const alpha = alphaAt >= 0 && colourSamples + alphaAt < samples ? colourSamples + alphaAt : undefined;
	const nodata = main.getGDALNoData() ?? undefined;
	// One sample after the other: geotiff.js loads the GDAL_METADATA tag once, and concurrent first loads fail.
	const metadata: (Record<string, unknown> | null)[] = [];
	for (let sample = 0; sample < samples; sample++) metadata.push(await main.getGDALMetadata(sample).catch(() => null));
	const descriptions = metadata.map((items) => String(items?.DESCRIPTION ?? ''));
	const statistics = metadata.map((items) => {
		const min = Number(items?.STATISTICS_MINIMUM);
		const max = Number(items?.STATISTICS_MAXIMUM);
		return Number.isFinite(min) && Number.isFinite(max) ? {min, max} : undefined;
	});
	return {
		descriptions,
		statistics,
		levels,
		bbox: place.bbox,
		code,
		samples,
		alpha,
		bandCount: samples - (alpha === undefined ? 0 : 1),
		sampleType: sampleTypeOf(main),
		nodata,
	};
}

function openError(where: string, error: unknown): UserError | Error {
	if (error instanceof UserError || error instanceof RunError) {
		if (error instanceof RunError)
			return new UserError(`${where} does not answer properly (${error.message}); check that the server is up`);
		return error;
	}
	if (error instanceof RangeProblem) {
		if (error.status === 200)
			return new UserError(
				`${where}: the server does not support range requests (it sent the whole file for a part); serve the file from a server that does (any object store, nginx, Apache), or download it and give its local path`,
			);
		return new UserError(
			error.status === 404 || error.status === 410
				? `${where}: no such file on the server (HTTP ${error.status}); check the URL`
				: `${where}: the server answered HTTP ${error.status}; check the URL and that it may be read`,
		);
	}
	if (error instanceof TransportError) {
		if (error.code === bodyTooLarge)
			return new UserError(
				`${where}: the server does not support range requests (it sends the whole file for a part); serve the file from a server that does, or download it and give its local path`,
			);
		return new UserError(
			`${where}: cannot reach the server (${redact(error.message)}); check the URL and that the server is up`,
		);
	}
	return new UserError(`${where} is not a GeoTIFF that can be read (${messageOf(error)}); give a GeoTIFF or COG file`);
}

/** The bands to read: the preset's, else red, green and blue by their descriptions, else the first three; a DSM's first. */
function chooseBands(role: LayerName, layer: FileLayerConfig, info: FileInfo): number[] {
	const usable = Array.from({length: info.samples}, (_, index) => index).filter((index) => index !== info.alpha);
	const needed = role === 'rgb' ? 3 : 1;
	if (layer.bandIds) {
		const wrong = layer.bandIds.filter((band) => !usable.includes(band));
		if (wrong.length > 0)
			throw new UserError(
				`layers.${role}.bandIds ${JSON.stringify(layer.bandIds)}: ${redact(layer.path)} has bands ${usable.join(', ')}${info.alpha === undefined ? '' : ` (and an alpha band ${info.alpha})`}; fix the band numbers (they start at 0)`,
			);
		return layer.bandIds;
	}
	if (usable.length < needed)
		throw new UserError(
			`layers.${role}: ${redact(layer.path)} has ${usable.length} band(s), the ${role} layer needs ${needed}; point layers.${role}.path at an RGB image (3 or more bands)`,
		);
	if (role === 'dsm') return [usable[0]];
	const descriptions = usable.map((band) => info.descriptions[band] ?? '');
	const named = rgbBandIds(descriptions);
	return named ? named.map((index) => usable[index]) : usable.slice(0, 3);
}

/** How 16-bit or float RGB becomes 8-bit: the preset's range, else the file's statistics; refused without either. */
function chooseStretch(layer: FileLayerConfig, info: FileInfo, bands: number[]): Stretch | undefined {
	if (info.sampleType === 'U8') return undefined;
	if (layer.stretch) {
		const {min, max} = layer.stretch;
		return {min: bands.map(() => min), max: bands.map(() => max)};
	}
	const ranges = bands.map((band) => info.statistics[band]);
	if (ranges.every((range) => range !== undefined && range.max > range.min)) {
		return {min: ranges.map((range) => range!.min), max: ranges.map((range) => range!.max)};
	}
	throw new UserError(
		`layers.rgb: ${redact(layer.path)} holds ${info.sampleType} pixels, not 8-bit, and no statistics (STATISTICS_MINIMUM/MAXIMUM, as gdalinfo -stats writes) to stretch them to 8 bits by; set layers.rgb.stretch to the values to map onto 0 and 255, e.g. --set layers.rgb.stretch.min=0 --set layers.rgb.stretch.max=4095`,
	);
}

/** GeoTIFF and COG files, local or over http(s) with range requests. */
export const fileSource: ImageSource<FileLayerConfig> = {open: (layer, context) => FileLayer.open(layer, context)};
