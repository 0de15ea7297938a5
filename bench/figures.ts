import {execFile} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {fetchAll, type FetchedTile} from '../source/engine/fetch/fetch-tiles.js';
import {tileFile} from '../source/engine/run-folder/paths.js';
import {openEnsemble} from '../source/engine/infer/ensemble.js';
import {makePlan} from '../source/engine/geo/plan.js';
import {readGeoTiffFile} from '../source/engine/geo/geotiff.js';
import {resolveModelPaths} from '../source/engine/infer/discover.js';
import {loadModelSpec} from '../source/engine/infer/metadata.js';
import type {PredictInput} from '../source/engine/infer/types.js';
import {windowGrid} from '../source/engine/infer/windows.js';
import {ContextAssembler, type ContextImage} from '../source/engine/pipeline/context-tiles.js';
import type {Plan} from '../source/engine/geo/plan.js';
import {startRun} from '../source/app/start-run.js';
import type {ReviewSession} from '../source/engine/index.js';
import {eventLoopDelayDuring, median, timed} from './measure.js';
import {prerenderedService, servedBy} from './prerendered-service.js';
import {slidingCost, type SlidingCostFigure} from './sliding-cost.js';
import {demoPreset} from './scenes.js';
import type {Preset} from '../source/config/preset-schema.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function tempDir(name: string): string {
	return mkdtempSync(path.join(os.tmpdir(), `deepmask-bench-${name}-`));
}

export type PipelineFigures = {
	mode: 'resize' | 'sliding';
	tiles: number;
	pipelineTilesPerSecond: number;
	modelsTilesPerSecond: number;
	efficiency: number;
	eventLoopP99Ms: number;
	thresholdChangeMs: number;
	inferenceMs: number;
	thresholdRatio: number;
	/** Sliding mode: what the context across tiles cost the run (issue 15's figure). */
	slidingCost?: SlidingCostFigure;
};

/**
 * The whole run (demo ensemble, CPU, tiles of the demo town rendered beforehand and served as a download
 * before the timing recorded them) against the same models on the same tiles with nothing else running; the
 * event-loop delay on the main thread while the ensemble runs; and the time a threshold change takes against
 * the inference time of the same tiles.
 */
export async function pipelineFigures(
	tiles: number,
	tileSize: number,
	mode: 'resize' | 'sliding',
): Promise<PipelineFigures> {
	const demo = demoPreset(tiles, tileSize, [`inference.mode=${mode}`]);
	const service = await prerenderedService(makePlan(demo.preset), demo.preset, {replay: true});
	const preset = servedBy(demo, service);
	const runDir = tempDir('pipeline');
	try {
		await recordAnswers(makePlan(preset.preset), service.layers, preset.preset.concurrency);
		const run = startRun({preset, runDir, writeAsYouGo: true});
		const {result: review, ms: pipelineMs} = await timed(async () => {
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
		// Sliding mode: the models alone infer the same windows as the run, each tile with its neighbours' context
		// (assembled before the timing, as the run's context stage does while it fetches).
		const contexts =
			mode === 'sliding' ? await slidingContexts(plan, inputs, preset.preset.models, inference.overlap) : undefined;
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
								...(contexts?.get(tile.id) ?? {
									rgb: {data: rgb.data as Uint8Array, width: rgb.width, height: rgb.height},
									dsm: {data: dsm.data as Float32Array, width: dsm.width, height: dsm.height, nodata: dsm.nodata},
								}),
								outWidth: tile.width,
								outHeight: tile.height,
							} satisfies PredictInput),
						),
					);
					return performance.now() - started;
				} finally {
					await ensemble.close();
				}
			}),
		);
		const thresholdChangeMs = await thresholdChange(review, plan.tiles[0].id);
		const inferenceMs = alone.result.result;
		return {
			mode,
			tiles: plan.tiles.length,
			pipelineTilesPerSecond: plan.tiles.length / (pipelineMs / 1000),
			modelsTilesPerSecond: plan.tiles.length / (alone.result.ms / 1000),
			efficiency: alone.result.ms / pipelineMs,
			eventLoopP99Ms: alone.p99Ms,
			thresholdChangeMs,
			inferenceMs,
			thresholdRatio: thresholdChangeMs / inferenceMs,
			slidingCost: slidingCost(run.snapshot()),
		};
	} finally {
		await service.close();
		rmSync(runDir, {recursive: true, force: true});
	}
}

/** Each tile with the context its windows reach on the area's grid, as the run's context stage assembles it. */
async function slidingContexts(
	plan: Plan,
	inputs: Array<{tile: Plan['tiles'][number]; rgb: FetchedTile['rgb']; dsm: FetchedTile['rgb']}>,
	models: string[],
	overlap: number | undefined,
): Promise<Map<string, ContextImage>> {
	const specs = await Promise.all((await resolveModelPaths(models)).map((file) => loadModelSpec(file)));
	const grids = specs.map((spec) => windowGrid(spec.tileSize!, overlap ?? spec.tilesOverlap));
	const assembler = new ContextAssembler({plan, tiles: plan.tiles, grids});
	const contexts = new Map<string, ContextImage>();
	for (const {tile, rgb, dsm} of inputs)
		for (const ready of assembler.add({tile, rgb, dsm, skipped: false}))
			contexts.set(ready.tile.id, ready.withContext());
	return contexts;
}

/**
 * What the review makes a user wait for on + or −: every statistic at the new threshold, then the shown tile's
 * preview (of a terminal's size) at it; the median of five presses up and down, the tile previewed beforehand
 * as the review shows it when it opens.
 */
async function thresholdChange(review: ReviewSession, tileId: string): Promise<number> {
	const preview = () => review.preview(tileId, 40, 40);
	await preview();
	const presses: number[] = [];
	for (const threshold of [0.55, 0.6, 0.55, 0.5, 0.45]) {
		const {ms} = await timed(async () => {
			await review.setThreshold(threshold);
			await preview();
		});
		presses.push(ms);
	}
	return median(presses);
}

/** Every answer a download of the plan asks a replaying service for, recorded before a figure's timing starts. */
async function recordAnswers(
	plan: Plan,
	layers: Preset['layers'],
	concurrency: Parameters<typeof fetchAll>[0]['concurrency'],
): Promise<void> {
	const runDir = tempDir('warm-up');
	try {
		await fetchAll({plan, layers, runDir, concurrency});
	} finally {
		rmSync(runDir, {recursive: true, force: true});
	}
}

/**
 * Tiles per second fetched from the pre-rendered local service with `latencyMs` added to every answer, per
 * concurrency. The answers are recorded beforehand, so the service's own resampling is not on this machine's
 * cores while the downloads are timed (a remote service does it on its own machine).
 */
export async function downloadScaling(
	tiles: number,
	tileSize: number,
	concurrencies: number[],
	latencyMs: number,
): Promise<Array<{concurrency: number; tilesPerSecond: number}>> {
	const preset = demoPreset(tiles, tileSize).preset;
	const plan = makePlan(preset);
	const service = await prerenderedService(plan, preset, {latencyMs, replay: true});
	const {layers} = service;
	try {
		await recordAnswers(plan, layers, {downloads: Math.max(...concurrencies), perHost: Math.max(...concurrencies)});
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
	}
}

const execFileAsync = promisify(execFile);

/** memoryByExtent's last count against its first: one ratio of peaks per repeat. */
export function memoryRatios(results: Array<{peakRssMb: number[]}>): number[] {
	const [first, last] = [results[0], results.at(-1)!];
	return first.peakRssMb.map((peak, repeat) => last.peakRssMb[repeat] / peak);
}

/**
 * Peak resident memory of a whole run in a fresh process (tiles served pre-rendered by this process), per
 * tile count, `repeats` times each, the counts taken in turn.
 */
export async function memoryByExtent(
	tileCounts: number[],
	tileSize: number,
	repeats: number,
): Promise<Array<{tiles: number; peakRssMb: number[]}>> {
	const services = await Promise.all(
		tileCounts.map(async (tiles) => {
			const {preset} = demoPreset(tiles, tileSize);
			return prerenderedService(makePlan(preset), preset);
		}),
	);
	try {
		const results = tileCounts.map((tiles) => ({tiles, peakRssMb: [] as number[]}));
		for (let repeat = 0; repeat < repeats; repeat++) {
			for (const [index, tiles] of tileCounts.entries()) {
				const {stdout} = await execFileAsync(
					process.execPath,
					[
						'--import',
						'tsx',
						path.join(here, 'child-run.ts'),
						String(tiles),
						String(tileSize),
						JSON.stringify(services[index].layers),
					],
					{maxBuffer: 16 * 1024 * 1024},
				);
				const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as {tiles: number; peakRssMb: number};
				results[index].tiles = report.tiles;
				results[index].peakRssMb.push(report.peakRssMb);
			}
		}
		return results;
	} finally {
		await Promise.all(services.map((service) => service.close()));
	}
}
