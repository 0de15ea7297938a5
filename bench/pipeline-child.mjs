/**
 * One side of the pipeline figure in a process of its own, on the built code (dist/) as users run it: in the bench's
 * process every module and every model worker went through tsx's TypeScript loader, which the figure then measured
 * (the run took about a third longer under it). Plain JavaScript, so the process loads nothing else.
 *
 * `node pipeline-child.mjs run PRESET_JSON RUN_DIR [review]`: the whole run of the preset (its layers point at the
 * bench's service) into RUN_DIR, with `review` then the threshold change the review makes a user wait for; prints
 * {ms, tiles, peakRssMb, sliding, thresholdChangeMs} (the peak memory of the process up to the end of the run).
 * `node pipeline-child.mjs alone PRESET_JSON RUN_DIR`: the preset's ensemble alone on the tiles that run fetched (read
 * beforehand; sliding mode: each tile with the context its windows reach, assembled beforehand as the run's context
 * stage does while it fetches); prints {ms, inferenceMs, eventLoopP99Ms}: the whole ensemble with its loading, the
 * predictions alone, and the main thread's event-loop delay meanwhile.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {monitorEventLoopDelay, performance} from 'node:perf_hooks';
import process from 'node:process';
import {startRun} from '../dist/app/start-run.js';
import {makePlan} from '../dist/engine/geo/plan.js';
import {readGeoTiffFile} from '../dist/engine/geo/geotiff.js';
import {openEnsemble} from '../dist/engine/infer/ensemble.js';
import {resolveModelPaths} from '../dist/engine/infer/discover.js';
import {loadModelSpec} from '../dist/engine/infer/metadata.js';
import {windowGrid} from '../dist/engine/infer/windows.js';
import {ContextAssembler} from '../dist/engine/pipeline/context-tiles.js';
import {tileFile} from '../dist/engine/run-folder/paths.js';
import {peakRssMb} from './peak-rss.mjs';

const [side, presetFile, runDir, review] = process.argv.slice(2);
const preset = JSON.parse(readFileSync(presetFile, 'utf8'));
const print = (report) => process.stdout.write(`${JSON.stringify(report)}\n`);

if (side === 'run') {
	const started = performance.now();
	const run = startRun({preset, runDir, writeAsYouGo: true});
	const session = await run.review;
	await session.write();
	const ms = performance.now() - started;
	const {tiles} = makePlan(preset.preset);
	print({
		ms,
		tiles: tiles.length,
		peakRssMb: peakRssMb(),
		sliding: run.snapshot().sliding,
		...(review === 'review' && {thresholdChangeMs: await thresholdChange(session, tiles[0].id)}),
	});
} else {
	const {inference, models} = preset.preset;
	const plan = makePlan(preset.preset);
	const inputs = await Promise.all(
		plan.tiles.map(async (tile) => ({
			tile,
			rgb: await readGeoTiffFile(path.join(runDir, tileFile('rgb', tile.id))),
			dsm: await readGeoTiffFile(path.join(runDir, tileFile('dsm', tile.id))),
		})),
	);
	const contexts =
		inference.mode === 'sliding' ? await slidingContexts(plan, inputs, models, inference.overlap) : undefined;
	const delay = monitorEventLoopDelay({resolution: 5});
	delay.enable();
	const started = performance.now();
	const ensemble = await openEnsemble({
		models,
		provider: inference.provider,
		mode: inference.mode,
		overlap: inference.overlap,
		batchSize: inference.batchSize,
		threadsPerModel: inference.threadsPerModel,
	});
	const predicting = performance.now();
	try {
		await Promise.all(
			inputs.map(({tile, rgb, dsm}) =>
				ensemble.predict({
					id: tile.id,
					...(contexts?.get(tile.id) ?? {
						rgb: {data: rgb.data, width: rgb.width, height: rgb.height},
						dsm: {data: dsm.data, width: dsm.width, height: dsm.height, nodata: dsm.nodata},
					}),
					outWidth: tile.width,
					outHeight: tile.height,
				}),
			),
		);
	} finally {
		await ensemble.close();
	}
	const ms = performance.now() - started;
	delay.disable();
	print({ms, inferenceMs: performance.now() - predicting, eventLoopP99Ms: delay.percentile(99) / 1e6});
}

/** Each tile with the context its windows reach on the area's grid, as the run's context stage assembles it. */
async function slidingContexts(plan, inputs, models, overlap) {
	const specs = await Promise.all((await resolveModelPaths(models)).map((file) => loadModelSpec(file)));
	const grids = specs.map((spec) => windowGrid(spec.tileSize, overlap ?? spec.tilesOverlap));
	const assembler = new ContextAssembler({plan, tiles: plan.tiles, grids});
	const contexts = new Map();
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
async function thresholdChange(review, tileId) {
	const preview = () => review.preview(tileId, 40, 40);
	await preview();
	const presses = [];
	for (const threshold of [0.55, 0.6, 0.55, 0.5, 0.45]) {
		const started = performance.now();
		await review.setThreshold(threshold);
		await preview();
		presses.push(performance.now() - started);
	}
	return presses.sort((a, b) => a - b)[2];
}
