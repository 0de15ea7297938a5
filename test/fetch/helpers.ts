import {createServer, type IncomingMessage} from 'node:http';
import {mkdtemp} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {LayerConfig} from '../../source/config/preset-schema.js';
import {DEMO_ORIGIN} from '../../source/demo/scene.js';
import {makePlan, type Plan} from '../../source/engine/plan/plan.js';

export function tempDir(prefix: string): Promise<string> {
	return mkdtemp(path.join(os.tmpdir(), `deepmask-${prefix}-`));
}

/** A small plan in the demo town: cols × rows tiles of tileSize px at 0.5 m. */
export function demoPlan(tileSize: number, cols: number, rows: number): Plan {
	const xmin = DEMO_ORIGIN.x - 100;
	const ymin = DEMO_ORIGIN.y - 60;
	return makePlan({
		extent: {xmin, ymin, xmax: xmin + cols * tileSize * 0.5, ymax: ymin + rows * tileSize * 0.5, crs: 'EPSG:3857'},
		crs: 'EPSG:3857',
		cellSize: 0.5,
		tileSize,
		snap: {mode: 'anchor', alignToGrid: false},
		maxTiles: 1000,
	});
}

export function layer(url: string, overrides: Partial<LayerConfig> = {}): LayerConfig {
	const kind = url.endsWith('MapServer') ? 'MapServer' : 'ImageServer';
	return {url, kind, pixelType: 'U8', interpolation: 'RSP_BilinearInterpolation', maxRequestSize: 2048, ...overrides};
}

export function demoLayers(servicesUrl: string, dsm: Partial<LayerConfig> = {}): {rgb: LayerConfig; dsm: LayerConfig} {
	return {
		rgb: layer(`${servicesUrl}/Demo/Imagery/MapServer`),
		dsm: layer(`${servicesUrl}/Demo/DSM/ImageServer`, {pixelType: 'F32', nodata: -9999, ...dsm}),
	};
}

/** Fast retries for tests; timeouts long enough that only the injected stalls hit them. */
export const testHttp = {retries: 30, retryBaseDelayMs: 1, retryMaxDelayMs: 20, idleTimeoutMs: 1500, timeoutMs: 30_000};

type Answer = {status: number; contentType: string; body: string | Uint8Array};

/**
 * A loopback service standing in front of the demo service, for behaviours the demo service does not
 * have: it advertises `advertisedMax` but answers larger exports with the size-limit error, or answers
 * every export through `onExport`.
 */
export async function startProxy(upstream: string, options: {advertisedMax?: number; acceptedMax?: number; onExport?: (url: URL) => Answer | undefined}) {
	const upstreamOrigin = new URL(upstream).origin;
	const exports: string[] = [];
	const server = createServer((request: IncomingMessage, response) => {
		const url = new URL(request.url ?? '/', upstreamOrigin);
		const send = (answer: Answer) => {
			response.writeHead(answer.status, {'Content-Type': answer.contentType});
			response.end(answer.body);
		};
		void (async () => {
			const isExport = /\/export(Image)?$/i.test(url.pathname);
			if (isExport) {
				exports.push(url.searchParams.get('size') ?? '');
				const custom = options.onExport?.(url);
				if (custom) return send(custom);
				const [width, height] = (url.searchParams.get('size') ?? '0,0').split(',').map(Number);
				if (options.acceptedMax !== undefined && (width > options.acceptedMax || height > options.acceptedMax)) {
					return send({
						status: 200,
						contentType: 'image/tiff',
						body: '{"error":{"code":400,"extendedCode":-2147024809,"message":"Invalid or missing input parameters.","details":["The requested image exceeds the size limit."]}}',
					});
				}
			}
			const upstreamResponse = await fetch(url);
			const bytes = new Uint8Array(await upstreamResponse.arrayBuffer());
			const contentType = upstreamResponse.headers.get('content-type') ?? 'application/octet-stream';
			if (!isExport && options.advertisedMax !== undefined && contentType.includes('json')) {
				const info = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
				info.maxImageWidth = options.advertisedMax;
				info.maxImageHeight = options.advertisedMax;
				return send({status: 200, contentType, body: JSON.stringify(info)});
			}
			send({status: upstreamResponse.status, contentType, body: bytes});
		})().catch((error: unknown) => send({status: 500, contentType: 'text/plain', body: String(error)}));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return {
		url: `http://127.0.0.1:${port}/arcgis/rest/services`,
		exports,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
