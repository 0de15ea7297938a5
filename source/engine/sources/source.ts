/**
 * The ImageSource contract (DESIGN §2): a kind of place imagery comes from (an ArcGIS ImageServer, a tile
 * cache, a file). The fetcher opens one per preset layer and asks it for the pixels of one plan tile at a
 * time; scheduling, retries across tiles, storing and resuming are the fetcher's, not the source's.
 */
import type {LayerConfig, LayerName} from '../../config/preset-schema.js';
import type {Bbox, GeoRaster} from '../geo/georaster.js';
import type {LayerFingerprint} from '../run-folder/tile-fingerprint.js';
import type {RetryPolicy} from './retry.js';
import type {Transport} from './transport.js';

/** What every source gets from the fetcher when it is opened. */
export type SourceContext = {
	/** The preset layer this source serves (rgb: 3 × uint8 bands, dsm: 1 band). */
	role: LayerName;
	/** The plan CRS: rasters come back in it. */
	epsg: number;
	/** The plan's cell size in plan CRS units: the resolution a source reads at (tile level, overview). */
	cellSize: number;
	/** The plan's adjusted extent, to warn early when a source does not cover it. */
	planExtent?: Bbox;
	/** One GET, one attempt; shared scheduling (concurrency, per-host limits, keep-alive). */
	transport: Transport;
	retry?: Partial<RetryPolicy>;
	/** Applied to every URL before it is requested (the embedded demo service's port). */
	urlRewrite?: (url: string) => string;
	/** Where token environment variables are read. */
	env?: NodeJS.ProcessEnv;
	signal?: AbortSignal;
	onLog?: (level: 'info' | 'warn', message: string) => void;
};

/** A URL as it is requested: with the context's rewrite (the embedded demo service's port) applied. */
export function requestUrl(context: Pick<SourceContext, 'urlRewrite'>, url: string): string {
	return context.urlRewrite ? context.urlRewrite(url) : url;
}

/** Written as the nodata value of float (DSM) layers when neither the preset nor the source names one. */
export const defaultFloatNodata = -9999;

export type RasterRequest = {bbox: Bbox; width: number; height: number};

export type RequestHooks = {
	signal: AbortSignal;
	onRetry?: (attempt: number, reason: string) => void;
	/**
	 * Bytes received so far for this raster, all its requests and attempts together; the total only when
	 * it is one request and the server announced its length (a retry starts the count again).
	 */
	onBytes?: (bytes: number, total?: number) => void;
};

export type FetchedRaster = {
	raster: GeoRaster;
	/** Every request that produced a piece, token redacted. */
	urls: string[];
	/** Requests made, failed ones included. */
	attempts: number;
	/** Bytes received, failed attempts included. */
	bytes: number;
};

/** What a source will read, for `deepmask doctor` and the preset view. */
export type SourceDescription = {
	/** The layer kind (ImageServer, MapServer, tiles, file). */
	kind: string;
	/** The CRS the source holds its pixels in, as "EPSG:n" or "ESRI:n"; undefined when it does not say. */
	crs: string | undefined;
	/** Its finest cell size in units of that CRS; undefined when the source has none (a dynamic map). */
	resolution: number | undefined;
	/** What is read for the plan's cell size: "level 17 (0.6 m)", "overview 2 of 4", "exportImage, resampled by the server". */
	reads: string;
};

/** An opened source: checked against what it serves, ready for requests. */
export type OpenedSource = {
	/** The nodata value the rasters carry, when there is one. */
	readonly nodata: number | undefined;
	/** The pixels of `request` in the plan CRS. Throws UserError for what a retry cannot fix, RunError when it gave up. */
	fetch(request: RasterRequest, hooks: RequestHooks): Promise<FetchedRaster>;
	/** The layer settings that determine the pixels (compared on resume; never a secret). */
	fingerprint(): LayerFingerprint;
	describe(): SourceDescription;
};

export type ImageSource<Layer extends LayerConfig = LayerConfig> = {
	/** Reads and checks what the source serves. Throws UserError for a wrong URL, token or layer setting. */
	open(layer: Layer, context: SourceContext): Promise<OpenedSource>;
};
