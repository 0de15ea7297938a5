/** Shared by the file source tests: opening a layer as the fetcher does, synthetic rasters, and a loopback file server. */
import {createReadStream, mkdtempSync, statSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type {FileLayerConfig, LayerName} from '../../source/config/preset-schema.js';
import type {Bbox, GeoRaster} from '../../source/engine/geo/georaster.js';
import {createHttpClient} from '../../source/engine/sources/http-transport.js';
import {openSource} from '../../source/engine/sources/registry.js';
import type {OpenedSource, RasterRequest} from '../../source/engine/sources/source.js';

export {hasGdal} from '../helpers/gdal.js';

export function tempDir(name: string): string {
	return mkdtempSync(path.join(os.tmpdir(), `deepmask-file-${name}-`));
}

export function fileLayer(filePath: string, overrides: Partial<FileLayerConfig> = {}): FileLayerConfig {
	return {
		kind: 'file',
		path: filePath,
		pixelType: overrides.pixelType ?? 'U8',
		resampling: 'bilinear',
		...overrides,
	};
}

export type Opened = {source: OpenedSource; logs: string[]; close: () => void};

/** Opens a file layer as the fetcher does, with its own HTTP client and a log of what it said. */
export async function openFile(
	layer: FileLayerConfig,
	options: {role?: LayerName; epsg?: number; cellSize?: number; planExtent?: Bbox; retries?: number} = {},
): Promise<Opened> {
	const http = createHttpClient({downloads: 4, perHost: 4, timeoutMs: 10_000, idleTimeoutMs: 5_000});
	const logs: string[] = [];
	try {
		const source = await openSource(layer, {
			role: options.role ?? (layer.pixelType === 'F32' ? 'dsm' : 'rgb'),
			epsg: options.epsg ?? 3857,
			cellSize: options.cellSize ?? 1,
			planExtent: options.planExtent,
			transport: http.transport,
			retry: {retries: options.retries ?? 2, baseDelayMs: 1, maxDelayMs: 5},
			onLog: (level, message) => logs.push(`${level}: ${message}`),
		});
		return {source, logs, close: http.close};
	} catch (error) {
		http.close();
		throw error;
	}
}

export async function fetchTile(opened: Opened, request: RasterRequest) {
	return opened.source.fetch(request, {signal: new AbortController().signal});
}

/** A smooth but not linear field with some texture: what bilinear and its kernel widths tell apart. */
export function texture(x: number, y: number, band = 0): number {
	return 128 + 90 * Math.sin(x / 7.3 + band) * Math.cos(y / 5.1 - band) + 30 * Math.sin((x + 2 * y) / 2.3);
}

export function syntheticRaster(options: {
	width: number;
	height: number;
	bands: number;
	bbox: Bbox;
	epsg: number;
	float?: boolean;
	nodata?: number;
	holes?: number;
}): GeoRaster {
	const {width, height, bands} = options;
	const data = options.float ? new Float32Array(width * height * bands) : new Uint8Array(width * height * bands);
	for (let row = 0; row < height; row++)
		for (let col = 0; col < width; col++)
			for (let b = 0; b < bands; b++) {
				const value = texture(col, row, b);
				data[(row * width + col) * bands + b] = options.float ? value + row * 0.01 : Math.round(value);
			}
	if (options.holes && options.nodata !== undefined) {
		let seed = 12345;
		for (let i = 0; i < options.holes; i++) {
			seed = (seed * 1103515245 + 12345) >>> 0;
			const p = seed % (width * height);
			for (let b = 0; b < bands; b++) data[p * bands + b] = options.nodata;
		}
	}
	const raster: GeoRaster = {width, height, bands, data, bbox: options.bbox, epsg: options.epsg};
	if (options.nodata !== undefined) raster.nodata = options.nodata;
	return raster;
}

export type FileServer = {
	url: string;
	/** Body bytes sent since the start (or the last reset). */
	sent: () => number;
	requests: () => number;
	reset: () => void;
	close: () => Promise<void>;
};

/**
 * Serves the files of `dir` on loopback with single Range requests (206 + Content-Range), as object stores
 * do; `ranges: false` answers every request with the whole file (a server without range support), `failEvery: n`
 * every n-th request with 503.
 */
export async function serveFiles(
	dir: string,
	options: {ranges?: boolean; failEvery?: number} = {},
): Promise<FileServer> {
	let sent = 0;
	let requests = 0;
	const server = http.createServer((request, response) => {
		requests++;
		if (options.failEvery && requests % options.failEvery === 0) {
			response.writeHead(503).end('busy');
			return;
		}
		const file = path.join(dir, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
		let size: number;
		try {
			size = statSync(file).size;
		} catch {
			response.writeHead(404).end('not found');
			return;
		}
		const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
		let start = 0;
		let end = size - 1;
		if (range && options.ranges !== false) {
			start = Number(range[1]);
			end = range[2] === '' ? size - 1 : Math.min(size - 1, Number(range[2]));
			if (start >= size) {
				response.writeHead(416, {'content-range': `bytes */${size}`}).end();
				return;
			}
			response.writeHead(206, {
				'content-range': `bytes ${start}-${end}/${size}`,
				'content-length': String(end - start + 1),
				'accept-ranges': 'bytes',
			});
		} else {
			response.writeHead(200, {'content-length': String(size)});
		}
		const stream = createReadStream(file, {start, end});
		stream.on('data', (chunk) => (sent += chunk.length));
		stream.pipe(response);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		sent: () => sent,
		requests: () => requests,
		reset: () => {
			sent = 0;
			requests = 0;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
