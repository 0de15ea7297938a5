import {execFile} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {fetchAll} from '../source/engine/fetch/fetch-tiles.js';
import type {ArcGisLayerConfig} from '../source/config/preset-schema.js';
import {tileFile} from '../source/engine/run-folder/paths.js';
import {openEnsemble} from '../source/engine/infer/ensemble.js';
import {makePlan} from '../source/engine/geo/plan.js';
import {readGeoTiffFile, writeGeoTiffFile} from '../source/engine/geo/geotiff.js';
import {renderScene} from '../source/demo/scene.js';
import {startServiceThread} from '../source/app/embedded-service.js';
import {startRun} from '../source/app/start-run.js';
import {eventLoopDelayDuring, timed} from './measure.js';
import {demoPreset} from './scenes.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function tempDir(name: string): string {
	return mkdtempSync(path.join(os.tmpdir(), `deepmask-bench-${name}-`));
}

export type PipelineFigures = {
	tiles: number;
	pipelineTilesPerSecond: number;
	modelsTilesPerSecond: number;
	efficiency: number;
	eventLoopP99Ms: number;
	thresholdChangeMs: number;
	inferenceMs: number;
	thresholdRatio: number;
};

/**
 * The whole run (local service, demo ensemble, CPU) against the same models on the same tiles with
 * nothing else running; the event-loop delay on the main thread while the ensemble runs; and the time a
 * threshold change takes against the inference time of the same tiles.
 */
export async function pipelineFigures(tiles: number, tileSize: number): Promise<PipelineFigures> {
	const preset = demoPreset(tiles, tileSize);
	const runDir = tempDir('pipeline');
	try {
		const {result: review, ms: pipelineMs} = await timed(async () => {
			const run = startRun({preset, runDir, writeAsYouGo: true});
			const session = await run.review;
			await session.write();
			return session;
		});
		const plan = makePlan(preset.preset);
		const inputs = await Promise.all(
			plan.tiles.map(async (tile) => ({
				tile,
				rgb: await readGeoTiffFile(path.join(runDir, tileFile('rgb', tile.id))),
				dsm: await readGeoTiffFile(path.join(runDir, tileFile('dsm', tile.id))),
			})),
		);
		const {inference} = preset.preset;
		const alone = await eventLoopDelayDuring(() =>
			timed(async () => {
				const ensemble = await openEnsemble({
					models: preset.preset.models,
					provider: inference.provider,
					mode: inference.mode,
					overlap: inference.overlap,
					batchSize: inference.batchSize,
					threadsPerModel: inference.threadsPerModel,
				});
				try {
					const started = performance.now();
					await Promise.all(
						inputs.map(({tile, rgb, dsm}) =>
							ensemble.predict({
								id: tile.id,
								rgb: {data: rgb.data as Uint8Array, width: rgb.width, height: rgb.height},
								dsm: {data: dsm.data as Float32Array, width: dsm.width, height: dsm.height, nodata: dsm.nodata},
								outWidth: tile.width,
								outHeight: tile.height,
							}),
						),
					);
					return performance.now() - started;
				} finally {
					await ensemble.close();
				}
			}),
		);
		const {ms: thresholdChangeMs} = await timed(() => review.setThreshold(review.threshold === 0.5 ? 0.6 : 0.5));
		const inferenceMs = alone.result.result;
		return {
			tiles: plan.tiles.length,
			pipelineTilesPerSecond: plan.tiles.length / (pipelineMs / 1000),
			modelsTilesPerSecond: plan.tiles.length / (alone.result.ms / 1000),
			efficiency: alone.result.ms / pipelineMs,
			eventLoopP99Ms: alone.p99Ms,
			thresholdChangeMs,
			inferenceMs,
			thresholdRatio: thresholdChangeMs / inferenceMs,
		};
	} finally {
		rmSync(runDir, {recursive: true, force: true});
	}
}

/**
 * Tiles per second fetched from the local service with `latencyMs` added to every answer, per concurrency.
 * The service serves GeoTIFFs of the area rendered beforehand: drawing the demo town per request costs
 * CPU that a remote service would not take from this machine, and would be what this figure measures.
 */
export async function downloadScaling(
	tiles: number,
	tileSize: number,
	concurrencies: number[],
	latencyMs: number,
): Promise<Array<{concurrency: number; tilesPerSecond: number}>> {
	const preset = demoPreset(tiles, tileSize).preset;
	const plan = makePlan(preset);
	const folder = tempDir('download-source');
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
		faults: {latencyMs},
	});
	const layers = {
		rgb: {
			...(preset.layers.rgb as ArcGisLayerConfig),
			kind: 'ImageServer' as const,
			url: `${service.url}/bench-rgb/ImageServer`,
			interpolation: 'RSP_NearestNeighbor' as const,
		},
		dsm: {
			...(preset.layers.dsm as ArcGisLayerConfig),
			url: `${service.url}/bench-dsm/ImageServer`,
			interpolation: 'RSP_NearestNeighbor' as const,
		},
	};
	try {
		const results: Array<{concurrency: number; tilesPerSecond: number}> = [];
		for (const concurrency of concurrencies) {
			const runDir = tempDir('download');
			try {
				const summary = await fetchAll({
					plan,
					layers,
					runDir,
					concurrency: {downloads: concurrency, perHost: concurrency},
				});
				results.push({concurrency, tilesPerSecond: summary.tiles / (summary.ms / 1000)});
			} finally {
				rmSync(runDir, {recursive: true, force: true});
			}
		}
		return results;
	} finally {
		await service.close();
		rmSync(folder, {recursive: true, force: true});
	}
}

const execFileAsync = promisify(execFile);

/** Peak resident memory of a whole run in a fresh process, per tile count. */
export async function memoryByExtent(
	tileCounts: number[],
	tileSize: number,
): Promise<Array<{tiles: number; peakRssMb: number}>> {
	const results: Array<{tiles: number; peakRssMb: number}> = [];
	for (const tiles of tileCounts) {
		const {stdout} = await execFileAsync(
			process.execPath,
			['--import', 'tsx', path.join(here, 'child-run.ts'), String(tiles), String(tileSize)],
			{maxBuffer: 16 * 1024 * 1024},
		);
		const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as {tiles: number; peakRssMb: number};
		results.push(report);
	}
	return results;
}
