import {mkdtemp} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {ArcGisLayerConfig as LayerConfig} from '../../source/config/preset-schema.js';
import {DEMO_ORIGIN} from '../../source/demo/scene.js';
import {makePlan, type Plan} from '../../source/engine/geo/plan.js';
import {startProxy, type Answer} from '../helpers/proxy.js';

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

/**
 * A proxy in front of the demo service that advertises `advertisedMax` but answers larger exports with
 * the size-limit error, or answers every export through `onExport`.
 */
export function startSizeLimitedProxy(
	upstream: string,
	options: {advertisedMax?: number; acceptedMax?: number; onExport?: (url: URL) => Answer | undefined},
) {
	const isExport = (url: URL) => /\/export(Image)?$/i.test(url.pathname);
	return startProxy(upstream, {
		intercept(url) {
			if (!isExport(url)) return undefined;
			const custom = options.onExport?.(url);
			if (custom) return custom;
			const [width, height] = (url.searchParams.get('size') ?? '0,0').split(',').map(Number);
			if (options.acceptedMax === undefined || (width <= options.acceptedMax && height <= options.acceptedMax))
				return undefined;
			return {
				status: 200,
				contentType: 'image/tiff',
				body: '{"error":{"code":400,"extendedCode":-2147024809,"message":"Invalid or missing input parameters.","details":["The requested image exceeds the size limit."]}}',
			};
		},
		rewrite(url, answer) {
			if (isExport(url) || options.advertisedMax === undefined || !answer.contentType.includes('json')) return answer;
			const info = JSON.parse(Buffer.from(answer.body).toString('utf8')) as Record<string, unknown>;
			info.maxImageWidth = options.advertisedMax;
			info.maxImageHeight = options.advertisedMax;
			return {...answer, body: JSON.stringify(info)};
		},
	});
}
