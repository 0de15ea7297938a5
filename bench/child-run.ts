/**
 * One whole run in its own process, for the memory figure: `child-run.ts TILES TILE_SIZE LAYERS_JSON` (the
 * layers served by the bench process, so only the run is in this one); prints {tiles, peakRssMb} as JSON.
 */
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {startRun} from '../source/app/start-run.js';
import {demoPreset} from './scenes.js';

const [tiles, tileSize] = process.argv.slice(2, 4).map(Number);
const layers = JSON.parse(process.argv[4]) as Record<string, unknown>;
const runDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-bench-memory-'));
try {
	// Small, fixed concurrency: memory should be set by it, so the smallest extent already reaches it.
	const demo = demoPreset(tiles, tileSize, [
		'concurrency.downloads=2',
		'concurrency.perHost=2',
		'inference.batchSize=1',
	]);
	const run = startRun({
		preset: {...demo, preset: {...demo.preset, embeddedDemo: false, layers: {...demo.preset.layers, ...layers}}},
		runDir,
		writeAsYouGo: true,
	});
	const review = await run.review;
	await review.write();
	process.stdout.write(
		`${JSON.stringify({tiles: run.plan.tiles.length, peakRssMb: process.resourceUsage().maxRSS / 1024})}\n`,
	);
} finally {
	rmSync(runDir, {recursive: true, force: true});
}
