/**
 * `npm run bench [-- --quick] [--provider cpu|cuda|webgpu|auto]`: speed, memory and responsiveness as ratios measured in one run (these
 * machines are noisy, absolute numbers are not comparable between runs). Prints a table; the last line of
 * stdout is the JSON report, also written to a file whose path is printed. The start-up and infer figures run the
 * built command line (npm run build first).
 */
import {mkdirSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {cogMemory} from './cog-figure.js';
import {downloadScaling, memoryByExtent, memoryRatios, pipelineFigures} from './figures.js';
import {median} from './measure.js';
import {inferFigures} from './infer-figure.js';
import {startupFigure} from './startup.js';
import {terminalBytesFigure} from './terminal-figure.js';
import {benchProvider} from './provider.js';

const quick = process.argv.includes('--quick');
const settings = quick
	? {
			pipelineTiles: 16,
			slidingTiles: 4,
			tileSize: 256,
			downloadTiles: 32,
			downloadTileSize: 128,
			inferImages: 24,
			inferImageSize: 1024,
			inferModelInput: 512,
			memoryTiles: [16, 256],
			memoryRepeats: 3,
			memoryTileSize: 64,
			cogTileSize: 256,
		}
	: {
			pipelineTiles: 24,
			slidingTiles: 24,
			tileSize: 512,
			downloadTiles: 96,
			downloadTileSize: 128,
			inferImages: 24,
			inferImageSize: 1024,
			inferModelInput: 512,
			memoryTiles: [32, 512],
			memoryRepeats: 5,
			memoryTileSize: 64,
			cogTileSize: 512,
		};
const log = (text: string) => process.stderr.write(`${text}\n`);

log(
	`deepmask bench${quick ? ' --quick' : ''} on ${os.cpus().length} cores, Node ${process.version}, provider ${benchProvider}`,
);
log('start-up …');
const startup = startupFigure(quick ? 7 : 15);
log('deepmask infer against the models alone …');
// Resized to 512 as issue 19 measures it (the old workflow's size), and to the demo models' own 256.
const [infer, inferOwnSize] = await inferFigures(settings.inferImages, settings.inferImageSize, [
	settings.inferModelInput,
	undefined,
]);
log('pipeline against the models alone, resize mode …');
const pipeline = await pipelineFigures(settings.pipelineTiles, settings.tileSize, 'resize');
log('pipeline against the models alone, sliding mode …');
const sliding = await pipelineFigures(settings.slidingTiles, settings.tileSize, 'sliding');
log('download scaling …');
const downloads = await downloadScaling(settings.downloadTiles, settings.downloadTileSize, [1, 4, 8, 16], 50);
log('memory by extent …');
const memory = await memoryByExtent(settings.memoryTiles, settings.memoryTileSize, settings.memoryRepeats);
log('masks.tif memory …');
// The demo's grid (2 × 3 tiles), 16 times as many rows, and 16 times the area (4 × the rows and columns).
const cog = await cogMemory(
	[
		{rows: 2, cols: 3},
		{rows: 32, cols: 3},
		{rows: 8, cols: 12},
	],
	settings.cogTileSize,
);
log('terminal output while idle …');
const terminal = terminalBytesFigure(quick ? 3 : 6);
const terminalRatio = Math.max(
	...Object.values(terminal).map((sizes) => sizes.incremental / Math.max(1, sizes.standard)),
);

const base = downloads.find((entry) => entry.concurrency === 1)!.tilesPerSecond;
const at8 = downloads.find((entry) => entry.concurrency === 8)!.tilesPerSecond / base;
// One ratio per repeat (the counts of a repeat ran one after the other), the median reported beside the spread.
const memoryByRepeat = memoryRatios(memory);
const memoryRatio = median(memoryByRepeat);
const megabytes = (values: number[]) => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)} MB`;
const pipelineFigure = (figures: typeof pipeline) => ({
	figure: `pipeline efficiency, ${figures.mode}`,
	value: figures.efficiency,
	text: `${figures.efficiency.toFixed(2)} (${figures.pipelineTilesPerSecond.toFixed(2)} vs ${figures.modelsTilesPerSecond.toFixed(2)} tiles/s, ${figures.tiles} tiles${figures.slidingCost ? `; context: +${(figures.slidingCost.extraWindowRatio * 100).toFixed(0)}% windows, +${(figures.slidingCost.marginPixelRatio * 100).toFixed(0)}% pixels` : ''})`,
	target: '≥ 0.9',
	met: figures.efficiency >= 0.9,
});
const inferEfficiency = (figure: typeof infer, target: string, met: boolean) => ({
	figure: `infer efficiency at ${figure.modelInput}²: whole process / models alone`,
	value: figure.efficiency,
	text: `${figure.efficiency.toFixed(2)} (${figure.inferSeconds.toFixed(1)} vs ${figure.modelsSeconds.toFixed(1)} s, ${figure.images} images of ${figure.imageSize}²)`,
	target,
	met,
});
const cogGrowth = cog.at(-1)!.peakRssMb / cog[0].peakRssMb - 1;

const figures = [
	{
		figure: 'start-up: --help over node -e 0',
		value: startup.extraSeconds,
		text: `+${startup.extraSeconds.toFixed(2)} s (${startup.helpSeconds.toFixed(2)} vs ${startup.nodeSeconds.toFixed(2)} s)`,
		target: '≤ +0.15 s',
		met: startup.extraSeconds <= 0.15,
	},
	inferEfficiency(infer, '≥ 0.92', infer.efficiency >= 0.92),
	inferEfficiency(inferOwnSize, 'reported', true),
	{
		figure: 'infer peak memory / models alone',
		value: infer.inferPeakRssMb / infer.modelsPeakRssMb,
		text: `${(infer.inferPeakRssMb / infer.modelsPeakRssMb).toFixed(2)}× (${infer.inferPeakRssMb.toFixed(0)} vs ${infer.modelsPeakRssMb.toFixed(0)} MB)`,
		target: 'reported',
		met: true,
	},
	pipelineFigure(pipeline),
	pipelineFigure(sliding),
	{
		figure: 'download scaling at 8',
		value: at8,
		text: `${at8.toFixed(1)}× (${downloads.map((entry) => `${entry.concurrency}: ${entry.tilesPerSecond.toFixed(1)}`).join(', ')} tiles/s)`,
		target: '≥ 6×',
		met: at8 >= 6,
	},
	{
		figure: 'memory, 16× tiles vs 1×',
		value: memoryRatio,
		text: `${memoryRatio.toFixed(2)}× (median of ${memoryByRepeat.length} runs: ${Math.min(...memoryByRepeat).toFixed(2)}–${Math.max(...memoryByRepeat).toFixed(2)}×; ${memory.map((entry) => `${entry.tiles} tiles: ${megabytes(entry.peakRssMb)}`).join(', ')})`,
		target: '≤ 1.10×',
		met: memoryRatio <= 1.1,
	},
	{
		figure: 'masks.tif memory, 16× tiles vs 1×',
		value: cogGrowth,
		text: `${cogGrowth >= 0 ? '+' : ''}${(cogGrowth * 100).toFixed(0)}% (${cog.map((entry) => `${entry.height / settings.cogTileSize}×${entry.width / settings.cogTileSize} tiles: ${entry.peakRssMb.toFixed(0)} MB`).join(', ')})`,
		target: '≤ +15%',
		met: cogGrowth <= 0.15,
	},
	{
		figure: 'event-loop delay p99',
		value: pipeline.eventLoopP99Ms,
		text: `${pipeline.eventLoopP99Ms.toFixed(1)} ms`,
		target: '< 50 ms',
		met: pipeline.eventLoopP99Ms < 50,
	},
	{
		figure: 'threshold change / inference',
		value: pipeline.thresholdRatio,
		text: `${(pipeline.thresholdRatio * 100).toFixed(1)}% (${pipeline.thresholdChangeMs.toFixed(0)} of ${pipeline.inferenceMs.toFixed(0)} ms)`,
		target: '< 5%',
		met: pipeline.thresholdRatio < 0.05,
	},
	{
		figure: 'terminal bytes/s idle, incremental / standard',
		value: terminalRatio,
		text: `${terminalRatio.toFixed(2)} (${Object.entries(terminal)
			.map(
				([size, bytes]) =>
					`${size}: ${(bytes.incremental / 1000).toFixed(1)} vs ${(bytes.standard / 1000).toFixed(1)} KB/s`,
			)
			.join(', ')})`,
		target: '≤ 0.5',
		met: terminalRatio <= 0.5,
	},
];

const width = Math.max(...figures.map((entry) => entry.figure.length));
const valueWidth = Math.max(...figures.map((entry) => entry.text.length));
process.stdout.write(`${'figure'.padEnd(width)}  ${'measured'.padEnd(valueWidth)}  target\n`);
for (const entry of figures)
	process.stdout.write(
		`${entry.figure.padEnd(width)}  ${entry.text.padEnd(valueWidth)}  ${entry.target}${entry.met ? '' : '  (not met)'}\n`,
	);

const report = {
	date: new Date().toISOString(),
	quick,
	provider: benchProvider,
	node: process.version,
	cores: os.cpus().length,
	settings,
	figures,
	infer,
	inferOwnSize,
	pipeline,
	sliding,
	downloads,
	memory,
	cog,
	terminal,
};
const dir = path.join(os.tmpdir(), 'deepmask-bench');
mkdirSync(dir, {recursive: true});
const file = path.join(dir, `bench-${Date.now()}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`report: ${file}\n${JSON.stringify(report)}\n`);
