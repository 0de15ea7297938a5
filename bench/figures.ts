import {execFile} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {fetchAll} from '../source/engine/fetch/fetch-tiles.js';
import {makePlan} from '../source/engine/geo/plan.js';
import type {Plan} from '../source/engine/geo/plan.js';
import {prerenderedService, servedBy} from './prerendered-service.js';
import {slidingCost, type SlidingCostFigure} from './sliding-cost.js';
import {demoPreset} from './scenes.js';
import {productFlags} from './product-node.js';
import type {Preset} from '../source/config/preset-schema.js';
import type {LoadedPreset} from '../source/config/presets.js';
import type {RunSnapshot} from '../source/engine/pipeline/snapshot.js';

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
 * the inference time of the same tiles. Each side runs the built code in a process of its own (pipeline-child.mjs).
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
		const presetFile = writePreset(preset);
		try {
			const run = await childRun(presetFile, runDir, 'review');
			const alone = await child<{ms: number; inferenceMs: number; eventLoopP99Ms: number}>([
				'alone',
				presetFile,
				runDir,
			]);
			const thresholdChangeMs = run.thresholdChangeMs!;
			return {
				mode,
				tiles: run.tiles,
				pipelineTilesPerSecond: run.tiles / (run.ms / 1000),
				modelsTilesPerSecond: run.tiles / (alone.ms / 1000),
				efficiency: alone.ms / run.ms,
				eventLoopP99Ms: alone.eventLoopP99Ms,
				thresholdChangeMs,
				inferenceMs: alone.inferenceMs,
				thresholdRatio: thresholdChangeMs / alone.inferenceMs,
				slidingCost: slidingCost({sliding: run.sliding}),
			};
		} finally {
			rmSync(path.dirname(presetFile), {recursive: true, force: true});
		}
	} finally {
		await service.close();
		rmSync(runDir, {recursive: true, force: true});
	}
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

/** The preset as JSON in a temporary folder of its own, for pipeline-child.mjs. */
function writePreset(preset: LoadedPreset): string {
	const file = path.join(tempDir('preset'), 'preset.json');
	writeFileSync(file, JSON.stringify(preset));
	return file;
}

/** pipeline-child.mjs with these arguments, on the built code with deepmask's V8 flags: its report. */
async function child<T>(args: string[]): Promise<T> {
	const {stdout} = await execFileAsync(
		process.execPath,
		[...productFlags, path.join(here, 'pipeline-child.mjs'), ...args],
		{
			maxBuffer: 16 * 1024 * 1024,
		},
	);
	return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

function childRun(
	presetFile: string,
	runDir: string,
	review?: 'review',
): Promise<{
	ms: number;
	tiles: number;
	peakRssMb: number;
	sliding: RunSnapshot['sliding'];
	thresholdChangeMs?: number;
}> {
	return child(['run', presetFile, runDir, ...(review ? [review] : [])]);
}

/** memoryByExtent's last count against its first: one ratio of peaks per repeat. */
export function memoryRatios(results: Array<{peakRssMb: number[]}>): number[] {
	const [first, last] = [results[0], results.at(-1)!];
	return first.peakRssMb.map((peak, repeat) => last.peakRssMb[repeat] / peak);
}

/**
 * Peak resident memory of a whole run in a fresh process on the built code (tiles served pre-rendered by this
 * process), per tile count, `repeats` times each, the counts taken in turn.
 */
export async function memoryByExtent(
	tileCounts: number[],
	tileSize: number,
	repeats: number,
): Promise<Array<{tiles: number; peakRssMb: number[]}>> {
	const services = await Promise.all(
		tileCounts.map(async (tiles) => {
			// Small, fixed concurrency: memory should be set by it, so the smallest extent already reaches it.
			const demo = demoPreset(tiles, tileSize, [
				'concurrency.downloads=2',
				'concurrency.perHost=2',
				'inference.batchSize=1',
			]);
			const service = await prerenderedService(makePlan(demo.preset), demo.preset);
			return {service, presetFile: writePreset(servedBy(demo, service))};
		}),
	);
	try {
		const results = tileCounts.map((tiles) => ({tiles, peakRssMb: [] as number[]}));
		for (let repeat = 0; repeat < repeats; repeat++) {
			for (const [index, {presetFile}] of services.entries()) {
				const runDir = tempDir('memory');
				try {
					const report = await childRun(presetFile, runDir);
					results[index].tiles = report.tiles;
					results[index].peakRssMb.push(report.peakRssMb);
				} finally {
					rmSync(runDir, {recursive: true, force: true});
				}
			}
		}
		return results;
	} finally {
		for (const {presetFile} of services) rmSync(path.dirname(presetFile), {recursive: true, force: true});
		await Promise.all(services.map(({service}) => service.close()));
	}
}
