/**
 * One preset layer (rgb or dsm) backed by an ArcGIS ImageServer (`exportImage`) or MapServer (`export`):
 * reads the service description, then turns "this bbox at this size" into as many requests as the
 * service's limits and our own budget allow, retries what is transient, splits what is too big, and
 * stitches the pieces into one raster.
 */
import {abortError, RunError, UserError} from '../../../errors.js';
import type {ArcGisLayerConfig, LayerName} from '../../../config/preset-schema.js';
import type {Bbox, GeoRaster} from '../../geo/georaster.js';
import {crsName, transformExtent} from '../../geo/crs.js';
import {redact} from '../redact.js';
import {decodeImage, judgeImageResponse, ResponseProblem, type DecodedImage} from './response.js';
import {readServiceDescription} from './service-description.js';
import {defaultRetryPolicy, waitBeforeRetry, type RetryPolicy} from '../retry.js';
import {parseServiceInfo, type ServiceInfo} from './service-info.js';
import {deniedError, resolveToken, tokenError} from '../token.js';
import {bodyTooLarge, crossServerRedirect, TransportError} from '../transport.js';
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
import type {LayerFingerprint} from '../../run-folder/tile-fingerprint.js';
import {halveWindow, pasteWindow, splitWindow, windowBbox, type PixelWindow} from './windows.js';
import {rgbBandIds} from '../rgb-bands.js';
import {misplacement} from './answer-place.js';
import {stretchToU8, type Stretch} from '../stretch.js';

class SizeLimitExceeded extends Error {
	constructor(
		message: string,
		/** A server error taken for a size problem, not the size-limit answer itself. */
		readonly overload = false,
	) {
		super(message);
	}
}

/** ArcGIS "Error exporting image" (500) and gateway timeouts (504) on a large request are often its size in disguise. */
const overloadCodes = new Set([500, 504]);
/** Requests no longer than this on either side are not split for a 500: it is then the server, not the size. */
const smallestSplitSide = 512;

type Progress = {
	urls: string[];
	attempts: number;
	bytes: number;
	report: (delta: number, attemptBytes: number, total?: number) => void;
};

/** MapServer `export` formats (Esri's list has no TIFF), lossless full colour first: PNG alone is 8-bit palette on ArcGIS. */
const formatPreference = ['PNG24', 'PNG32', 'PNG', 'JPG'];

/**
 * The most bytes an export of width × height may take: every band plus an alpha, 8 bytes a sample,
 * uncompressed, and a megabyte for headers. More is an endless body or a bomb, not an image.
 */
function largestAnswer(width: number, height: number, bands: number): number {
	return width * height * (bands + 1) * 8 + 1024 * 1024;
}

class ArcGisLayer implements OpenedSource {
	readonly bands: number;
	readonly nodata: number | undefined;
	private maxWidth: number;
	private maxHeight: number;
	private readonly endpoint: string;
	private readonly format: string;
	private readonly retry: RetryPolicy;
	/** The bands asked for, when not all of the service's in order. */
	private readonly bandIds: number[] | undefined;
	/** The pixel type asked for: the layer's, or the service's own when its RGB is stretched to 8 bits. */
	private readonly requestPixelType: string;
	private readonly stretch: Stretch | undefined;

	private readonly role: LayerName;
	private readonly epsg: number;

	private constructor(
		private readonly layer: ArcGisLayerConfig,
		private readonly info: ServiceInfo,
		private readonly token: string | undefined,
		private readonly options: SourceContext,
	) {
		const role = options.role;
		this.role = role;
		this.epsg = options.epsg;
		this.bands = role === 'rgb' ? 3 : 1;
		this.nodata = layer.nodata ?? (layer.pixelType === 'F32' ? defaultFloatNodata : undefined);
		this.maxWidth = Math.min(info.maxImageWidth, layer.maxRequestSize);
		this.maxHeight = Math.min(info.maxImageHeight, layer.maxRequestSize);
		const base = requestUrl(options, layer.url.replace(/\/+$/, ''));
		this.endpoint = `${base}/${layer.kind === 'ImageServer' ? 'exportImage' : 'export'}`;
		this.format = layer.kind === 'ImageServer' ? 'tiff' : mapFormat(info);
		this.retry = {...defaultRetryPolicy, ...options.retry};
		this.bandIds = layer.kind === 'ImageServer' ? chooseBands(role, layer, info) : undefined;
		this.stretch =
			layer.kind === 'ImageServer' && role === 'rgb' ? chooseStretch(layer, info, this.bandIds) : undefined;
		this.requestPixelType = this.stretch ? info.pixelType! : layer.pixelType;
	}

	/** Read and check the service description. Throws UserError for a wrong URL, token or layer setting. */
	static async open(layer: ArcGisLayerConfig, context: SourceContext): Promise<ArcGisLayer> {
		const {role} = context;
		checkLayerSettings(role, layer);
		const token = resolveToken(role, layer, context.env);
		const info = await readServiceInfo(role, layer, token, context);
		refuseTilesOnly(role, layer, info);
		checkBands(role, layer, info);
		const client = new ArcGisLayer(layer, info, token, context);
		client.checkAgainstService(context.planExtent);
		return client;
	}

	fingerprint(): LayerFingerprint {
		return arcGisFingerprint(this.layer, this.nodata, this.stretch);
	}

	describe(): SourceDescription {
		const {kind} = this.layer;
		return {
			kind,
			crs: this.info.epsg === undefined ? undefined : crsName(this.info.epsg),
			resolution: this.info.pixelSize,
			reads: `${kind === 'ImageServer' ? 'exportImage' : 'export'}, resampled by the server`,
		};
	}

	/** The pixels of `request` in the plan CRS, requested in pieces within the limits and stitched. */
	async fetch(request: RasterRequest, hooks: RequestHooks): Promise<FetchedRaster> {
		const {width, height} = request;
		const data =
			this.layer.pixelType === 'F32'
				? new Float32Array(width * height * this.bands)
				: new Uint8Array(width * height * this.bands);
		let nodataMask: Uint8Array | undefined;
		const windows = splitWindow(width, height, this.maxWidth, this.maxHeight);
		let received = 0;
		const progress: Progress = {
			urls: [],
			attempts: 0,
			bytes: 0,
			report: (delta, attemptBytes, total) => {
				received += delta;
				if (windows.length === 1 && total !== undefined) hooks.onBytes?.(attemptBytes, total);
				else hooks.onBytes?.(received);
			},
		};
		const fetchWindow = async (window: PixelWindow): Promise<void> => {
			let image: DecodedImage;
			try {
				image = await this.requestImage(
					windowBbox(request.bbox, width, height, window),
					window.width,
					window.height,
					hooks,
					progress,
				);
			} catch (error) {
				if (!(error instanceof SizeLimitExceeded)) throw error;
				const halves = halveWindow(window);
				if (!halves)
					throw new RunError(
						`layers.${this.role}: the service refuses even a 1×1 pixel image as too large (${error.message})`,
					);
				this.learnLimit(window, halves, error.overload);
				await Promise.all(halves.map(fetchWindow));
				return;
			}
			pasteWindow(data, width, this.bands, window, image.data);
			if (image.nodataMask) {
				nodataMask ??= new Uint8Array(width * height);
				pasteWindow(nodataMask, width, 1, window, image.nodataMask);
			}
		};
		await Promise.all(windows.map(fetchWindow));
		const raster: GeoRaster = {width, height, bands: this.bands, data, bbox: {...request.bbox}, epsg: this.epsg};
		if (this.nodata !== undefined) raster.nodata = this.nodata;
		if (nodataMask) raster.nodataMask = nodataMask;
		return {raster, urls: progress.urls, attempts: progress.attempts, bytes: progress.bytes};
	}

	/** The export URL for one piece; the token is in it, so only ever show it through redact(). */
	exportUrl(bbox: Bbox, width: number, height: number): string {
		const parameters: [string, string][] = [
			['bbox', [bbox.xmin, bbox.ymin, bbox.xmax, bbox.ymax].map(String).join(',')],
			['bboxSR', String(this.epsg)],
			['imageSR', String(this.epsg)],
			['size', `${width},${height}`],
			['format', this.format],
		];
		if (this.layer.kind === 'ImageServer') {
			parameters.push(['pixelType', this.requestPixelType]);
			if (this.nodata !== undefined) parameters.push(['noData', String(this.nodata)]);
			if (this.bandIds) parameters.push(['bandIds', this.bandIds.join(',')]);
			parameters.push(['interpolation', this.layer.interpolation], ['adjustAspectRatio', 'false']);
		} else {
			// Where the map draws nothing, an RGB picture is transparent: that alpha is the tile's nodata mask.
			parameters.push(['transparent', String(this.role === 'rgb')], ['dpi', '96']);
		}
		parameters.push(['f', 'image']);
		if (this.token !== undefined) parameters.push(['token', this.token]);
		return `${this.endpoint}?${parameters.map(([key, value]) => `${key}=${encodeURIComponent(value).replaceAll('%2C', ',')}`).join('&')}`;
	}

	private async requestImage(
		bbox: Bbox,
		width: number,
		height: number,
		hooks: RequestHooks,
		progress: Progress,
	): Promise<DecodedImage> {
		const url = this.exportUrl(bbox, width, height);
		const {signal} = hooks;
		let overloads = 0;
		for (let attempt = 1; ; attempt++) {
			progress.attempts++;
			let seen = 0;
			let reason: string;
			try {
				const response = await this.options.transport(url, {
					signal,
					maxBytes: largestAnswer(width, height, this.bands),
					onBytes: (received, total) => {
						progress.report(received - seen, received, total);
						seen = received;
					},
				});
				progress.report(response.body.byteLength - seen, response.body.byteLength);
				progress.bytes += response.body.byteLength;
				const image = await decodeImage(response.body, judgeImageResponse(response), {
					width,
					height,
					bands: this.bands,
					pixelType: this.stretch ? 'F32' : this.layer.pixelType,
				});
				const misplaced = image.place && misplacement(image.place, {bbox, epsg: this.epsg, width, height});
				if (misplaced) throw new ResponseProblem(misplaced, 'misplaced');
				progress.urls.push(redact(url));
				this.markNodata(image);
				this.maskRgbNodata(image);
				return this.stretch
					? {...image, data: stretchToU8(image.data as Float32Array, this.bands, this.stretch)}
					: image;
			} catch (error) {
				if (signal.aborted) throw abortError(signal);
				reason = this.failureReason(error, url);
				// Twice a server error on a large request: ask for less rather than the same again.
				if (error instanceof ResponseProblem && error.code !== undefined && overloadCodes.has(error.code)) {
					overloads++;
					if (overloads >= 2 && Math.max(width, height) > smallestSplitSide)
						throw new SizeLimitExceeded(`${reason}, twice for a ${width}×${height} image`, true);
				}
			}
			if (attempt > this.retry.retries) {
				throw new RunError(
					`layers.${this.role}: ${reason} (gave up after ${attempt} attempts; last request ${redact(url)})`,
				);
			}
			hooks.onRetry?.(attempt, reason);
			await waitBeforeRetry(this.retry, attempt, signal);
		}
	}

	/**
	 * Pixels the service says hold no data (its noDataValue, the answer's nodata tag, NaN) take the layer's
	 * nodata, so the run masks them instead of reading them as ground.
	 */
	private markNodata(image: DecodedImage): void {
		const nodata = this.nodata;
		if (nodata === undefined || !(image.data instanceof Float32Array) || this.stretch) return;
		// As float32, which is what the pixels were compared in.
		const marks = [image.nodata, this.info.noDataValue]
			.filter((value): value is number => value !== undefined && value !== nodata)
			.map(Math.fround);
		// Two marks at most, NaN standing in for a missing one (NaN equals nothing): no array search per sample.
		const [first = Number.NaN, second = Number.NaN] = marks;
		const data = image.data;
		for (let k = 0; k < data.length; k++) {
			const value = data[k];
			if (Number.isNaN(value) || value === first || value === second) data[k] = nodata;
		}
	}

	/**
	 * RGB pixels whose every band holds a nodata value (the layer's, the answer's nodata tag, the service's
	 * noDataValue: all bands alike, as GDAL reads one value for all bands) join the image's nodata mask. The
	 * samples are compared as the service sent them, before any stretch.
	 */
	private maskRgbNodata(image: DecodedImage): void {
		if (this.role !== 'rgb') return;
		const marks = [this.nodata, image.nodata, this.info.noDataValue]
			.filter((value): value is number => value !== undefined)
			.map((value) => (image.data instanceof Float32Array ? Math.fround(value) : value));
		if (marks.length === 0) return;
		const {data, bands} = image;
		const pixels = image.width * image.height;
		for (let p = 0; p < pixels; p++) {
			const first = data[p * bands];
			if (!marks.includes(first)) continue;
			let all = true;
			for (let b = 1; b < bands && all; b++) all = data[p * bands + b] === first;
			if (!all) continue;
			image.nodataMask ??= new Uint8Array(pixels);
			image.nodataMask[p] = 1;
		}
	}

	/** The retry reason for a transient failure; throws for everything that must not be retried. */
	private failureReason(error: unknown, url: string): string {
		if (error instanceof ResponseProblem) {
			if (error.kind === 'transient') return redact(error.message);
			if (error.kind === 'size') throw new SizeLimitExceeded(error.message);
			if (error.kind === 'auth') throw tokenError(this.role, this.layer, error);
			if (error.kind === 'denied') throw deniedError(this.role, this.layer, error);
			if (error.kind === 'misplaced')
				throw new RunError(
					`layers.${this.role}: ${this.endpoint} answered ${error.message}; the service does not honour bboxSR/imageSR, check the layer's url and the plan CRS (last request ${redact(url)})`,
				);
			throw new UserError(
				`layers.${this.role}: the service rejected the request (${redact(error.message)}) for ${redact(url)}; check the layer's settings (url, bandIds, pixelType) and the plan CRS EPSG:${this.epsg}`,
			);
		}
		if (error instanceof TransportError) {
			if (error.code === 'ENOTFOUND') throw unreachable(this.role, this.layer, error);
			if (error.code === crossServerRedirect)
				throw new RunError(`layers.${this.role}: ${error.message} (${redact(url)})`);
			if (error.code === bodyTooLarge)
				throw new RunError(
					`layers.${this.role}: ${error.message} from ${redact(url)}; the service does not answer like an ArcGIS ${this.layer.kind}`,
				);
			return redact(error.message);
		}
		throw error;
	}

	private learnLimit(window: PixelWindow, halves: [PixelWindow, PixelWindow], overload: boolean): void {
		const size = `${window.width}×${window.height}`;
		const before = `${this.maxWidth}×${this.maxHeight}`;
		if (halves[0].width < window.width) this.maxWidth = Math.min(this.maxWidth, halves[1].width);
		else this.maxHeight = Math.min(this.maxHeight, halves[1].height);
		const after = `${this.maxWidth}×${this.maxHeight}`;
		if (after !== before) {
			this.options.onLog?.(
				'warn',
				`layers.${this.role}: the service ${overload ? `failed a ${size} request twice (HTTP or ArcGIS 500/504)` : `refused a ${size} request as too large`}; requests are now at most ${after} px`,
			);
		}
	}

	private checkAgainstService(planExtent: Bbox | undefined): void {
		const {info, layer, role} = this;
		if (
			info.pixelType &&
			layer.kind === 'ImageServer' &&
			role === 'dsm' &&
			info.pixelType !== layer.pixelType &&
			layer.pixelType === 'U8'
		) {
			this.options.onLog?.(
				'warn',
				`layers.${role}: the service's pixels are ${info.pixelType}; asking for U8 truncates values outside 0..255`,
			);
		}
		if (planExtent && info.extent && info.epsg !== undefined) {
			try {
				const serviceExtent = transformExtent(info.extent, `EPSG:${info.epsg}`, `EPSG:${this.epsg}`);
				const overlaps =
					serviceExtent.xmin < planExtent.xmax &&
					serviceExtent.xmax > planExtent.xmin &&
					serviceExtent.ymin < planExtent.ymax &&
					serviceExtent.ymax > planExtent.ymin;
				if (!overlaps) {
					this.options.onLog?.(
						'warn',
						`layers.${role}: the plan's extent lies outside the service's extent; its tiles will hold only nodata`,
					);
				}
			} catch {
				// A service CRS proj4 does not know: nothing to compare with, the tiles will tell.
			}
		}
	}
}

/** The layer's settings that determine the pixels; the URL is the preset's, not the rewritten one (the embedded service's port changes every run). */
export function arcGisFingerprint(
	layer: ArcGisLayerConfig,
	nodata: number | undefined,
	stretch?: Stretch,
): LayerFingerprint {
	const fingerprint: LayerFingerprint = {
		url: redact(layer.url),
		kind: layer.kind,
		bandIds: layer.bandIds ?? null,
		pixelType: layer.pixelType,
		nodata: nodata ?? null,
		interpolation: layer.interpolation,
	};
	// Only when there is one, so the manifests of 8-bit services stay as they were.
	if (stretch) fingerprint.stretch = stretch;
	return fingerprint;
}

/** Before the bands are chosen: enough of them, and the preset's band numbers among them. */
function checkBands(role: LayerName, layer: ArcGisLayerConfig, info: ServiceInfo): void {
	const needed = role === 'rgb' ? 3 : 1;
	if (info.bandCount !== undefined && info.bandCount < needed && !layer.bandIds) {
		throw new UserError(
			`layers.${role}: the service at ${layer.url} has ${info.bandCount} band(s), the ${role} layer needs ${needed}; point layers.${role}.url at another service`,
		);
	}
	if (info.bandCount !== undefined && layer.bandIds?.some((band) => band >= info.bandCount!)) {
		throw new UserError(
			`layers.${role}.bandIds ${JSON.stringify(layer.bandIds)}: the service has bands 0..${info.bandCount - 1}; fix the band numbers (they start at 0)`,
		);
	}
}

/** The bands to ask for: the preset's bandIds, else red, green and blue by name, else the first of a service with more. */
function chooseBands(role: LayerName, layer: ArcGisLayerConfig, info: ServiceInfo): number[] | undefined {
	if (layer.bandIds) return layer.bandIds;
	const count = info.bandCount;
	if (count === undefined) return undefined;
	if (role === 'dsm') return count > 1 ? [0] : undefined;
	const named = rgbBandIds(info.bandNames);
	if (named) return count === 3 && named.join() === '0,1,2' ? undefined : named;
	if (count === 3) return undefined;
	throw new UserError(
		`layers.rgb: the service at ${layer.url} has ${count} bands (${info.bandNames.join(', ') || 'unnamed'}) whose names do not say which are red, green and blue; set layers.rgb.bandIds to their numbers (from 0), e.g. --set 'layers.rgb.bandIds=[2,1,0]' when blue, green and red come first`,
	);
}

/** How 16-bit or float RGB becomes 8-bit: the preset's range, else the service's statistics; refused without either. */
function chooseStretch(
	layer: ArcGisLayerConfig,
	info: ServiceInfo,
	bandIds: number[] | undefined,
): Stretch | undefined {
	const type = info.pixelType;
	if (type === undefined || type === 'U8' || type === 'UNKNOWN') return undefined;
	const bands = bandIds ?? [0, 1, 2];
	if (layer.stretch) {
		const {min, max} = layer.stretch;
		return {min: bands.map(() => min), max: bands.map(() => max)};
	}
	const {minValues, maxValues} = info;
	if (minValues && maxValues && bands.every((band) => maxValues[band] > minValues[band])) {
		return {min: bands.map((band) => minValues[band]), max: bands.map((band) => maxValues[band])};
	}
	throw new UserError(
		`layers.rgb: the service's pixels are ${type}, not 8-bit, and it publishes no statistics (minValues/maxValues) to stretch them to 8 bits by; set layers.rgb.stretch to the values to map onto 0 and 255, e.g. --set layers.rgb.stretch.min=0 --set layers.rgb.stretch.max=4095`,
	);
}

function refuseTilesOnly(role: LayerName, layer: ArcGisLayerConfig, info: ServiceInfo): void {
	if (!info.tilesOnly) return;
	throw new UserError(
		`layers.${role}: ${layer.url} is a tile-only service (capabilities ${info.capabilities.join(',')}): it has no ${layer.kind === 'ImageServer' ? 'exportImage' : 'export'}, only cached tiles at /tile/{level}/{row}/{col}; read it as a layer of kind "tiles" (--set layers.${role}.kind=tiles, same url), or point layers.${role}.url at a dynamic ${layer.kind} of the same data`,
	);
}

function mapFormat(info: ServiceInfo): string {
	if (info.imageFormats.length === 0) return 'png24';
	return formatPreference.find((format) => info.imageFormats.includes(format))?.toLowerCase() ?? 'png';
}

function checkLayerSettings(role: LayerName, layer: ArcGisLayerConfig): void {
	const bands = role === 'rgb' ? 3 : 1;
	if (layer.kind === 'MapServer' && layer.pixelType !== 'U8') {
		throw new UserError(
			`layers.${role}: a MapServer renders 8-bit pictures, so pixelType ${layer.pixelType} is impossible; use the ImageServer of the data, or pixelType U8`,
		);
	}
	if (layer.kind === 'MapServer' && layer.bandIds) {
		throw new UserError(
			`layers.${role}.bandIds: a MapServer has no bands to choose; remove bandIds or use an ImageServer`,
		);
	}
	if (layer.bandIds && layer.bandIds.length !== bands) {
		throw new UserError(
			`layers.${role}.bandIds ${JSON.stringify(layer.bandIds)}: the ${role} layer needs exactly ${bands} band(s)`,
		);
	}
	if (role === 'rgb' && layer.pixelType !== 'U8') {
		throw new UserError(`layers.rgb.pixelType must be U8 (tiles are written as 3 × uint8)`);
	}
}

function unreachable(role: LayerName, layer: ArcGisLayerConfig, error: TransportError): UserError {
	return new UserError(
		`layers.${role}: cannot reach ${layer.url} (${redact(error.message)}); check layers.${role}.url (for example --set layers.${role}.url=https://HOST/arcgis/rest/services/NAME/${layer.kind})`,
	);
}

function readServiceInfo(
	role: LayerName,
	layer: ArcGisLayerConfig,
	token: string | undefined,
	context: SourceContext,
): Promise<ServiceInfo> {
	return readServiceDescription(
		{
			role,
			layer,
			token,
			parse: (json) => parseServiceInfo(layer.kind, json),
			notUsable: (what) =>
				new UserError(
					`layers.${role}: ${layer.url} is not a usable ArcGIS ${layer.kind} (${redact(what)}); check layers.${role}.url and layers.${role}.kind`,
				),
			unreachable: (error) => unreachable(role, layer, error),
		},
		context,
	);
}

/** ArcGIS ImageServer (`exportImage`) and MapServer (`export`) layers: one client, the kind decides the request. */
export const arcGisSource: ImageSource<ArcGisLayerConfig> = {
	open: (layer, context) => ArcGisLayer.open(layer, context),
};
