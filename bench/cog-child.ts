/**
 * For the masks.tif memory figure, in its own process: `tiles DIR ROWS COLS SIZE` writes the mask tiles of
 * a plan of ROWS × COLS tiles into DIR; `cog DIR ROWS COLS SIZE` writes DIR/masks.tif from them and prints
 * {tiles, width, height, peakRssMb, seconds} as JSON (the peak of a process that did nothing else).
 */
import {performance} from 'node:perf_hooks';
import {writeGeoTiffFile} from '../source/engine/geo/geotiff.js';
import {makePlan} from '../source/engine/geo/plan.js';
import {writeMasksCog} from '../source/engine/outputs/cog/masks-cog.js';
import {maskFile} from '../source/engine/run-folder/paths.js';
import {peakRssMb} from './peak-rss.mjs';

const [step, runDir, ...numbers] = process.argv.slice(2);
const [rows, cols, tileSize] = numbers.map(Number);
const cellSize = 0.5;
const {xmin, ymin} = {xmin: 1_000_000, ymin: 6_000_000};
const plan = makePlan({
	extent: {
		xmin,
		ymin,
		xmax: xmin + cols * tileSize * cellSize,
		ymax: ymin + rows * tileSize * cellSize,
		crs: 'EPSG:3857',
	},
	crs: 'EPSG:3857',
	cellSize,
	tileSize,
	snap: {mode: 'anchor', alignToGrid: false},
	maxTiles: rows * cols,
});
const palette: Array<[number, number, number]> = [
	[0, 0, 0],
	[255, 140, 0],
];

if (step === 'tiles') {
	// Buildings on the global grid, crossing tile borders as a run's do.
	for (const tile of plan.tiles) {
		const data = new Uint8Array(tileSize * tileSize);
		for (let y = 0; y < tileSize; y++)
			for (let x = 0; x < tileSize; x++)
				data[y * tileSize + x] = (tile.col * tileSize + x) % 97 < 40 && (tile.row * tileSize + y) % 61 < 30 ? 1 : 0;
		await writeGeoTiffFile(maskFile(runDir, tile.id), {
			...{width: tileSize, height: tileSize, bands: 1, data},
			...{bbox: tile.bbox, epsg: plan.epsg, colorMap: palette},
		});
	}
} else {
	const started = performance.now();
	await writeMasksCog(runDir, plan, palette);
	const report = {
		tiles: plan.tiles.length,
		width: cols * tileSize,
		height: rows * tileSize,
		peakRssMb: peakRssMb(),
		seconds: (performance.now() - started) / 1000,
	};
	process.stdout.write(`${JSON.stringify(report)}\n`);
}
