/**
 * A preset layer of kind "tiles": an ArcGIS tile cache or an XYZ/WMTS template. For each plan tile it
 * picks the cache level for the plan's cell size, fetches the cache tiles that cover it (through the
 * fetcher's transport: per-host concurrency, keep-alive; retries here), decodes and mosaics them, and
 * warps the mosaic onto the plan grid and CRS. Missing tiles (404, blank, fully transparent) are nodata.
 */
import proj4 from 'proj4';
import sharp from '../../sharp.js';
import {abortError, messageOf, RunError, UserError} from '../../../errors.js';
import type {LayerName, TilesLayerConfig} from '../../../config/preset-schema.js';
import {registerSecret} from '../../../secrets.js';
import type {Bbox, GeoRaster} from '../../geo/georaster.js';
import {areaUnit, crsName, ensureCrs, transformExtent} from '../../geo/crs.js';
import {warpToGrid} from '../../geo/warp.js';
import type {LayerFingerprint} from '../../run-folder/tile-fingerprint.js';
import {redact} from '../redact.js';
import {defaultRetryPolicy, waitBeforeRetry, type RetryPolicy} from '../retry.js';
import {deniedError, resolveToken, tokenError} from '../token.js';
import {bodyTooLarge, crossServerRedirect, TransportError, type HttpResponse} from '../transport.js';
import {
	type FetchedRaster,
	type ImageSource,
	type OpenedSource,
	type RasterRequest,
	type RequestHooks,
	requestUrl,
	type SourceContext,
	type SourceDescription,
} from '../source.js';
import {readServiceDescription} from '../arcgis/service-description.js';
import {
	decodeImage,
	judgeImageResponse,
	parseArcGisError,
	ResponseProblem,
	type DecodedImage,
} from '../arcgis/response.js';
import {pasteWindow, splitWindow, windowBbox, type PixelWindow} from '../arcgis/windows.js';
import {
	chooseLevel,
	outsideExtent,
	parseTileInfo,
	templateUrl,
	tileBbox,
	tileRange,
	xyzScheme,
	type Lod,
	type TileScheme,
} from './tile-scheme.js';

/** XYZ servers seldom go deeper; a preset's maxLevel says otherwise. */
const defaultMaxLevel = 22;
/** Plan pixels warped at once: the mosaic behind one window stays a few tens of megabytes. */
const windowSide = 1024;
/** A level this many times finer than the cell size downloads its square as many pixels as needed: refused. */
const finestRatio = 16;
/** Decoded cache tiles kept for neighbouring plan tiles (256 × 256 RGB: about 50 MB). */
const keptTiles = 256;

/** A cache tile: its pixels, or nothing there (404, blank, fully transparent). */
type CacheTile = {image: DecodedImage | undefined; url: string};

type Progress = {
	urls: Set<string>;
	attempts: number;
	bytes: number;
	received: number;
	hooks: RequestHooks;
};

function isArcGisCache(url: string): boolean {
	return /\/(MapServer|ImageServer)\/?$/.test(url);
}

class TilesLayer implements OpenedSource {
	readonly nodata = undefined;
	private readonly retry: RetryPolicy;
	private readonly role: LayerName;
	private readonly kept = new Map<string, Promise<CacheTile>>();
	/** The cell size in the cache's CRS units, and the level it reads. */
	readonly lod: Lod;
	private readonly cacheCell: number;

	private constructor(
		private readonly layer: TilesLayerConfig,
		private readonly scheme: TileScheme,
		private readonly token: string | undefined,
		private readonly headers: Record<string, string> | undefined,
		private readonly context: SourceContext,
	) {
		this.role = context.role;
		this.retry = {...defaultRetryPolicy, ...context.retry};
		this.cacheCell = cellInCache(context, scheme.epsg);
		try {
			this.lod = chooseLevel(scheme, this.cacheCell, layer.level);
		} catch (error) {
			throw new UserError(`layers.${this.role}.level: ${messageOf(error)}; remove level or pick one of those`);
		}
		const ratio = this.cacheCell / this.lod.resolution;
		if (ratio > finestRatio)
			throw new UserError(
				`layers.${this.role}.level ${this.lod.level}: its ${formatResolution(this.lod.resolution, scheme.epsg)} pixels are ${Math.round(ratio)} times finer than the plan's cell size; reading it would download ${Math.round(ratio * ratio)} times the pixels needed: pin a coarser level or remove level`,
			);
	}

	static async open(layer: TilesLayerConfig, context: SourceContext): Promise<TilesLayer> {
		const {role} = context;
		if (role === 'dsm')
			throw new UserError(
				`layers.dsm: kind "tiles" reads 8-bit pictures, not heights; read the DSM from an ImageServer (kind "ImageServer") or a GeoTIFF (kind "file")`,
			);
		const token = resolveToken(role, layer, context.env);
		const headers = resolveHeaders(role, layer, context.env);
		let scheme: TileScheme;
		if (isArcGisCache(layer.url)) {
			scheme = await readTileInfo(layer, token, headers, context);
		} else {
			scheme = xyzScheme(layer.tileSize ?? 256, layer.maxLevel ?? defaultMaxLevel);
		}
		try {
			ensureCrs(`EPSG:${scheme.epsg}`);
		} catch (error) {
			throw new UserError(
				`layers.${role}: the tile cache at ${layer.url} is in a CRS deepmask cannot compute (${messageOf(error)})`,
			);
		}
		const opened = new TilesLayer(layer, scheme, token, headers, context);
		opened.checkCoverage();
		return opened;
	}

	fingerprint(): LayerFingerprint {
		const fingerprint: LayerFingerprint = {
			url: redact(this.layer.url),
			kind: 'tiles',
			pixelType: this.layer.pixelType,
			level: this.lod.level,
			resolution: this.lod.resolution,
			cacheCrs: crsName(this.scheme.epsg),
			resampling: this.layer.resampling,
		};
		if (this.scheme.kind === 'xyz') fingerprint.tileSize = this.scheme.tileWidth;
		return fingerprint;
	}

	describe(): SourceDescription {
		const {scheme, lod} = this;
		const what = scheme.kind === 'arcgis' ? 'ArcGIS tile cache' : 'XYZ tiles';
		return {
			kind: 'tiles',
			crs: crsName(scheme.epsg),
			resolution: scheme.lods.at(-1)!.resolution,
			reads: `level ${lod.level} (${formatResolution(lod.resolution, scheme.epsg)}) of the ${what}, ${scheme.tileWidth}×${scheme.tileHeight} px tiles, ${this.layer.resampling} to the plan grid`,
		};
	}

	async fetch(request: RasterRequest, hooks: RequestHooks): Promise<FetchedRaster> {
		const {width, height} = request;
		const epsg = this.context.epsg;
		const data = new Uint8Array(width * height * 3);
		const nodataMask = new Uint8Array(width * height);
		const progress: Progress = {urls: new Set(), attempts: 0, bytes: 0, received: 0, hooks};
		const ratio = this.cacheCell / this.lod.resolution;
		const side = Math.max(64, Math.min(windowSide, Math.floor((2 * windowSide) / Math.max(1, ratio))));
		for (const window of splitWindow(width, height, side, side)) {
			if (hooks.signal.aborted) throw abortError(hooks.signal);
			const bbox = windowBbox(request.bbox, width, height, window);
			const {data: pixels, valid} = await this.warpWindow(bbox, window, progress);
			pasteWindow(data, width, 3, window, pixels);
			const missing = new Uint8Array(valid.length);
			for (let p = 0; p < valid.length; p++) missing[p] = valid[p] ? 0 : 1;
			pasteWindow(nodataMask, width, 1, window, missing);
		}
		const raster: GeoRaster = {width, height, bands: 3, data, bbox: {...request.bbox}, epsg};
		if (nodataMask.includes(1)) raster.nodataMask = nodataMask;
		return {raster, urls: [...progress.urls], attempts: progress.attempts, bytes: progress.bytes};
	}

	/** One window of the plan grid: the mosaic of the cache tiles under it, warped onto it. */
	private async warpWindow(
		bbox: Bbox,
		window: PixelWindow,
		progress: Progress,
	): Promise<{data: Uint8Array; valid: Uint8Array}> {
		const {scheme, lod} = this;
		const empty = {
			data: new Uint8Array(window.width * window.height * 3),
			valid: new Uint8Array(window.width * window.height),
		};
		let area: Bbox;
		try {
			area = transformExtent(bbox, `EPSG:${this.context.epsg}`, `EPSG:${scheme.epsg}`);
		} catch {
			return empty;
		}
		if (![area.xmin, area.ymin, area.xmax, area.ymax].every(Number.isFinite)) return empty;
		// Room for the interpolation's neighbours, and for a kernel widened to the downsampling ratio.
		const pad = lod.resolution * (2 + Math.ceil(this.cacheCell / lod.resolution));
		const range = tileRange(scheme, lod, {
			xmin: area.xmin - pad,
			ymin: area.ymin - pad,
			xmax: area.xmax + pad,
			ymax: area.ymax + pad,
		});
		if (!range) return empty;
		const columns = range.colMax - range.colMin + 1;
		const rows = range.rowMax - range.rowMin + 1;
		const mosaicWidth = columns * scheme.tileWidth;
		const mosaicHeight = rows * scheme.tileHeight;
		// 8-bit samples and a mask of where there is nothing: the warp leaves masked pixels out of every sum.
		const mosaic = new Uint8Array(mosaicWidth * mosaicHeight * 3);
		const missing = new Uint8Array(mosaicWidth * mosaicHeight).fill(1);
		const places: Array<{row: number; col: number}> = [];
		for (let row = range.rowMin; row <= range.rowMax; row++)
			for (let col = range.colMin; col <= range.colMax; col++) places.push({row, col});
		const tiles = await Promise.all(places.map(({row, col}) => this.cacheTile(row, col, progress)));
		let any = false;
		tiles.forEach((tile, index) => {
			const image = tile.image;
			if (!image) return;
			any = true;
			progress.urls.add(tile.url);
			const x0 = (places[index].col - range.colMin) * scheme.tileWidth;
			const y0 = (places[index].row - range.rowMin) * scheme.tileHeight;
			for (let y = 0; y < image.height; y++) {
				const start = (y0 + y) * mosaicWidth + x0;
				mosaic.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), start * 3);
				if (!image.nodataMask) {
					missing.fill(0, start, start + image.width);
					continue;
				}
				for (let x = 0; x < image.width; x++) missing[start + x] = image.nodataMask[y * image.width + x];
			}
		});
		if (!any) return empty;
		const first = tileBbox(scheme, lod, range.rowMin, range.colMin);
		const last = tileBbox(scheme, lod, range.rowMax, range.colMax);
		const source: GeoRaster = {
			width: mosaicWidth,
			height: mosaicHeight,
			bands: 3,
			data: mosaic,
			bbox: {xmin: first.xmin, ymax: first.ymax, xmax: last.xmax, ymin: last.ymin},
			epsg: scheme.epsg,
			nodataMask: missing,
		};
		const warped = warpToGrid(
			source,
			{bbox, width: window.width, height: window.height, epsg: this.context.epsg},
			this.layer.resampling,
		);
		return {data: warped.data as Uint8Array, valid: warped.valid};
	}

	/** A cache tile, decoded; the same tile asked for again (a neighbouring plan tile) is not downloaded twice. */
	private cacheTile(row: number, col: number, progress: Progress): Promise<CacheTile> {
		const {lod} = this;
		const url = this.tileUrl(row, col);
		const shown = redact(url);
		if (outsideExtent(this.scheme, lod, row, col)) return Promise.resolve({image: undefined, url: shown});
		const key = `${lod.level}/${row}/${col}`;
		const known = this.kept.get(key);
		if (known) {
			this.kept.delete(key);
			this.kept.set(key, known);
			return known;
		}
		const pending = this.download(url, progress).then((image) => ({image, url: shown}));
		this.kept.set(key, pending);
		pending.catch(() => this.kept.delete(key));
		while (this.kept.size > keptTiles) this.kept.delete(this.kept.keys().next().value!);
		return pending;
	}

	/** The URL of a cache tile; it may hold the token, so only ever show it through redact(). */
	tileUrl(row: number, col: number): string {
		const {level} = this.lod;
		if (this.scheme.kind === 'arcgis') {
			const base = requestUrl(this.context, this.layer.url.replace(/\/+$/, ''));
			// Without blankTile=false a server may answer a missing tile with a blank picture (header blank-tile: true).
			const query = [
				`blankTile=false`,
				...(this.token === undefined ? [] : [`token=${encodeURIComponent(this.token)}`]),
			];
			return `${base}/tile/${level}/${row}/${col}?${query.join('&')}`;
		}
		const hasTokenField = /\{token\}/i.test(this.layer.url);
		let url = templateUrl(
			this.layer.url,
			{level, row, col},
			this.layer.subdomains,
			hasTokenField ? this.token : undefined,
		);
		if (this.token !== undefined && !hasTokenField)
			url += `${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(this.token)}`;
		return requestUrl(this.context, url);
	}

	private async download(url: string, progress: Progress): Promise<DecodedImage | undefined> {
		const {signal} = progress.hooks;
		const {tileWidth, tileHeight} = this.scheme;
		for (let attempt = 1; ; attempt++) {
			progress.attempts++;
			let seen = 0;
			let reason: string;
			try {
				const response = await this.context.transport(url, {
					signal,
					// Every band, an alpha, 8 bytes a sample and a megabyte for headers: more is not a tile.
					maxBytes: tileWidth * tileHeight * 4 * 8 + 1024 * 1024,
					...(this.headers && {headers: this.headers}),
					onBytes: (received) => {
						progress.received += received - seen;
						seen = received;
						progress.hooks.onBytes?.(progress.received);
					},
				});
				progress.received += response.body.byteLength - seen;
				progress.bytes += response.body.byteLength;
				progress.hooks.onBytes?.(progress.received);
				if (isMissing(response)) return undefined;
				const format = judgeImageResponse(response);
				await this.checkTileSize(response.body, url);
				const image = await decodeImage(response.body, format, {
					width: tileWidth,
					height: tileHeight,
					bands: 3,
					pixelType: 'U8',
				});
				// Nothing drawn anywhere: a blank tile, as good as a missing one.
				if (image.nodataMask && !image.nodataMask.includes(0)) return undefined;
				return image;
			} catch (error) {
				if (signal.aborted) throw abortError(signal);
				reason = this.failureReason(error, url);
			}
			if (attempt > this.retry.retries)
				throw new RunError(
					`layers.${this.role}: ${reason} (gave up after ${attempt} attempts; last request ${redact(url)})`,
				);
			progress.hooks.onRetry?.(attempt, reason);
			await waitBeforeRetry(this.retry, attempt, signal);
		}
	}

	/** A tile of another size than the scheme's is a wrong setting (tileSize) or a wrong service: no retry helps. */
	private async checkTileSize(body: Uint8Array, url: string): Promise<void> {
		let size: {width?: number; height?: number};
		try {
			size = await sharp(body).metadata();
		} catch {
			return; // decodeImage says what is wrong with it, and it is retried.
		}
		const {tileWidth, tileHeight} = this.scheme;
		if (size.width === tileWidth && size.height === tileHeight) return;
		const fix =
			this.scheme.kind === 'xyz'
				? size.width === size.height && (size.width === 256 || size.width === 512)
					? `set layers.${this.role}.tileSize to ${size.width}`
					: 'check the url template'
				: "the service's tileInfo does not describe its tiles; read it with kind MapServer or ImageServer instead";
		throw new UserError(
			`layers.${this.role}: the tile ${redact(url)} is ${size.width}×${size.height} px, not the ${tileWidth}×${tileHeight} px of the tile scheme; ${fix}`,
		);
	}

	/** The retry reason for a transient failure; throws for everything that must not be retried. */
	private failureReason(error: unknown, url: string): string {
		if (error instanceof UserError || error instanceof RunError) throw error;
		if (error instanceof ResponseProblem) {
			if (error.kind === 'transient') return redact(error.message);
			if (error.kind === 'auth') throw this.authError(error);
			if (error.kind === 'denied') throw this.deniedError(error);
			throw new UserError(
				`layers.${this.role}: the tile server rejected ${redact(url)} (${redact(error.message)}); check layers.${this.role}.url`,
			);
		}
		if (error instanceof TransportError) {
			if (error.code === 'ENOTFOUND')
				throw new UserError(
					`layers.${this.role}: cannot reach ${redact(url)} (${redact(error.message)}); check layers.${this.role}.url`,
				);
			if (error.code === crossServerRedirect || error.code === bodyTooLarge)
				throw new RunError(`layers.${this.role}: ${error.message} (${redact(url)})`);
			return redact(error.message);
		}
		throw error;
	}

	private authError(problem: ResponseProblem): UserError {
		if (this.layer.headers && !this.layer.token)
			return new UserError(
				`layers.${this.role}: the tile server does not accept the request (${redact(problem.message)}); check the values of ${Object.values(this.layer.headers).join(', ')} (layers.${this.role}.headers)`,
			);
		return tokenError(this.role, this.layer, problem);
	}

	private deniedError(problem: ResponseProblem): UserError {
		if (this.layer.headers && !this.layer.token)
			return new UserError(
				`layers.${this.role}: the tile server refuses the request (${redact(problem.message)}); check the values of ${Object.values(this.layer.headers).join(', ')} (layers.${this.role}.headers) and that the key may read this layer`,
			);
		return deniedError(this.role, this.layer, problem);
	}

	/** Warns when the plan lies wholly outside what the cache publishes. */
	private checkCoverage(): void {
		const {extent, epsg} = this.scheme;
		const plan = this.context.planExtent;
		if (!extent || !plan) return;
		try {
			const inCache = transformExtent(plan, `EPSG:${this.context.epsg}`, `EPSG:${epsg}`);
			const overlaps =
				inCache.xmin < extent.xmax &&
				inCache.xmax > extent.xmin &&
				inCache.ymin < extent.ymax &&
				inCache.ymax > extent.ymin;
			if (!overlaps)
				this.context.onLog?.(
					'warn',
					`layers.${this.role}: the plan's extent lies outside the tile cache's extent; its tiles will hold only nodata`,
				);
		} catch {
			// A CRS proj4 cannot transform between: the tiles will tell.
		}
	}
}

/** 404 (and 204, 410) or an ArcGIS "not found" error body: the cache has no tile there. */
function isMissing(response: HttpResponse): boolean {
	if (response.status === 404 || response.status === 410 || response.status === 204) return true;
	if (response.status !== 200) return false;
	const error = parseArcGisError(response.body);
	return error !== undefined && error.code === 404;
}

/** The plan's cell size measured in the cache's CRS, at the plan's centre. */
function cellInCache(context: SourceContext, cacheEpsg: number): number {
	const {epsg, cellSize, planExtent} = context;
	if (epsg === cacheEpsg || !planExtent) return cellSize;
	ensureCrs(`EPSG:${epsg}`);
	const forward = proj4(`EPSG:${epsg}`, `EPSG:${cacheEpsg}`).forward;
	const cx = (planExtent.xmin + planExtent.xmax) / 2;
	const cy = (planExtent.ymin + planExtent.ymax) / 2;
	const half = cellSize / 2;
	const [ax, ay] = forward([cx - half, cy]);
	const [bx, by] = forward([cx + half, cy]);
	const [cx2, cy2] = forward([cx, cy - half]);
	const [dx, dy] = forward([cx, cy + half]);
	const across = Math.hypot(bx - ax, by - ay);
	const along = Math.hypot(dx - cx2, dy - cy2);
	const size = Math.sqrt(across * along);
	return Number.isFinite(size) && size > 0 ? size : cellSize;
}

function formatResolution(resolution: number, epsg: number): string {
	let unit = 'm';
	try {
		unit = areaUnit(`EPSG:${epsg}`).replace('²', '');
	} catch {
		// The unit is a nicety.
	}
	return `${Number(resolution.toPrecision(4))} ${unit}`;
}

/** The layer's headers from the environment variables it names, each value registered as a secret. */
function resolveHeaders(
	role: LayerName,
	layer: TilesLayerConfig,
	env: NodeJS.ProcessEnv = process.env,
): Record<string, string> | undefined {
	if (!layer.headers) return undefined;
	const headers: Record<string, string> = {};
	for (const [name, variable] of Object.entries(layer.headers)) {
		const value = env[variable];
		if (!value)
			throw new UserError(
				`layers.${role}.headers.${name} names the environment variable ${variable}, which is not set; export ${variable}=<the header's value> and run again`,
			);
		registerSecret(value);
		headers[name] = value;
	}
	return headers;
}

/** The service description of an ArcGIS cache, with its tileInfo; retried while the service is busy. */
function readTileInfo(
	layer: TilesLayerConfig,
	token: string | undefined,
	headers: Record<string, string> | undefined,
	context: SourceContext,
): Promise<TileScheme> {
	const {role} = context;
	const notACache = (what: string) =>
		new UserError(
			`layers.${role}: ${layer.url} is not a usable ArcGIS tile cache (${redact(what)}); check layers.${role}.url, or read a dynamic service with kind "MapServer" or "ImageServer"`,
		);
	return readServiceDescription(
		{
			role,
			layer,
			token,
			headers,
			parse: (json) => {
				try {
					return parseTileInfo(json);
				} catch (error) {
					throw notACache(messageOf(error));
				}
			},
			notUsable: notACache,
			unreachable: (error) =>
				new UserError(`layers.${role}: cannot reach ${layer.url} (${redact(error.message)}); check layers.${role}.url`),
		},
		context,
	);
}

/** Tile caches: ArcGIS `tile/{level}/{row}/{col}` and XYZ/WMTS templates. */
export const tilesSource: ImageSource<TilesLayerConfig> = {open: (layer, context) => TilesLayer.open(layer, context)};
