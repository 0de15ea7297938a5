/**
 * The local image service serving the demo town over a plan's area, rendered once beforehand: drawing the
 * town per request costs CPU that a remote service would not take from this machine, and would be what a
 * figure measures. The preset's rgb and dsm layers are pointed at it.
 */
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {Worker} from 'node:worker_threads';
import type {ArcGisLayerConfig, Preset} from '../source/config/preset-schema.js';
import type {LoadedPreset} from '../source/config/presets.js';
import {writeGeoTiffFile} from '../source/engine/geo/geotiff.js';
import type {Plan} from '../source/engine/geo/plan.js';
import {renderScene} from '../source/demo/scene.js';
import {startServiceThread} from '../source/app/embedded-service.js';

export type PrerenderedService = {layers: Preset['layers']; close(): Promise<void>};

/**
 * With `replay`, the layers point at a recorder in front of the service: each GET's answer is kept the first time
 * and served as kept bytes after that, so a download done before a figure is timed leaves the service's
 * resampling (the export of each tile from the rendered town, work a remote service does on its own machine)
 * off this machine's CPU while the figure runs. `latencyMs` delays every answer (the recorder's too).
 */
export type ServiceOptions = {latencyMs?: number; replay?: boolean};

export async function prerenderedService(
	plan: Plan,
	preset: Preset,
	{replay, latencyMs}: ServiceOptions = {},
): Promise<PrerenderedService> {
	const folder = mkdtempSync(path.join(os.tmpdir(), 'deepmask-bench-source-'));
	const size = {
		width: (plan.adjusted.xmax - plan.adjusted.xmin) / plan.cellSize,
		height: (plan.adjusted.ymax - plan.adjusted.ymin) / plan.cellSize,
	};
	const scene = renderScene({bbox: plan.adjusted, ...size}, new Set(['rgb', 'dsm']));
	await writeGeoTiffFile(path.join(folder, 'bench-rgb.tif'), {
		...size,
		bands: 3,
		data: scene.rgb!,
		bbox: plan.adjusted,
		epsg: plan.epsg,
	});
	await writeGeoTiffFile(path.join(folder, 'bench-dsm.tif'), {
		...size,
		bands: 1,
		data: scene.dsm!,
		bbox: plan.adjusted,
		epsg: plan.epsg,
		nodata: -9999,
	});
	const service = await startServiceThread({
		port: 0,
		demo: false,
		rasters: ['rgb', 'dsm'].map((layer) => path.join(folder, `bench-${layer}.tif`)),
		faults: {latencyMs: replay ? undefined : latencyMs},
	});
	const recorder = replay ? await recording(service.url, latencyMs ?? 0) : undefined;
	const url = recorder?.url ?? service.url;
	return {
		layers: {
			rgb: {
				...(preset.layers.rgb as ArcGisLayerConfig),
				kind: 'ImageServer' as const,
				url: `${url}/bench-rgb/ImageServer`,
				interpolation: 'RSP_NearestNeighbor' as const,
			},
			dsm: {
				...(preset.layers.dsm as ArcGisLayerConfig),
				url: `${url}/bench-dsm/ImageServer`,
				interpolation: 'RSP_NearestNeighbor' as const,
			},
		},
		async close() {
			await recorder?.close();
			await service.close();
			rmSync(folder, {recursive: true, force: true});
		},
	};
}

/** The recorder (replay-recorder.mjs) in a worker thread in front of `upstream`. */
async function recording(upstream: string, latencyMs: number): Promise<{url: string; close(): Promise<void>}> {
	const worker = new Worker(new URL('replay-recorder.mjs', import.meta.url), {workerData: {upstream, latencyMs}});
	const url = await new Promise<string>((resolve, reject) => {
		worker.once('message', resolve);
		worker.once('error', reject);
	});
	return {
		url,
		close: async () => {
			const exited = new Promise((resolve) => worker.once('exit', resolve));
			worker.postMessage('close');
			await exited;
		},
	};
}

/** The preset with its layers served by `service` instead of the embedded demo. */
export function servedBy(loaded: LoadedPreset, service: PrerenderedService): LoadedPreset {
	return {...loaded, preset: {...loaded.preset, embeddedDemo: false, layers: service.layers}};
}
