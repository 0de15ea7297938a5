/**
 * `npm run bench [-- --quick]`: speed, memory and responsiveness as ratios measured in one run (these
 * machines are noisy, absolute numbers are not comparable between runs). Prints a table; the last line of
 * stdout is the JSON report, also written to a file whose path is printed.
 */
import {mkdirSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {cogMemory} from './cog-figure.js';
import {downloadScaling, memoryByExtent, pipelineFigures} from './figures.js';
import {startupFigure} from './startup.js';
import {terminalBytesFigure} from './terminal-figure.js';

const quick = process.argv.includes('--quick');
const settings = quick
	? {
			pipelineTiles: 16,
			tileSize: 256,
			downloadTiles: 32,
			downloadTileSize: 128,
			memoryTiles: [16, 64, 256],
			memoryTileSize: 64,
			cogTileSize: 256,
		}
	: {
			pipelineTiles: 24,
			tileSize: 512,
			downloadTiles: 96,
			downloadTileSize: 128,
			memoryTiles: [32, 128, 512],
			memoryTileSize: 64,
			cogTileSize: 512,
		};
const log = (text: string) => process.stderr.write(`${text}\n`);

log(`deepmask bench${quick ? ' --quick' : ''} on ${os.cpus().length} cores, Node ${process.version}`);
log('start-up …');
const startup = startupFigure(quick ? 7 : 15);
log('pipeline against the models alone …');
const pipeline = await pipelineFigures(settings.pipelineTiles, settings.tileSize);
log('download scaling …');
const downloads = await downloadScaling(settings.downloadTiles, settings.downloadTileSize, [1, 4, 8, 16], 50);
log('memory by extent …');
const memory = await memoryByExtent(settings.memoryTiles, settings.memoryTileSize);
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
const memoryGrowth = memory.at(-1)!.peakRssMb / memory[0].peakRssMb - 1;
const cogGrowth = cog.at(-1)!.peakRssMb / cog[0].peakRssMb - 1;

const figures = [
	{
		figure: 'start-up: --help over node -e 0',
		value: startup.extraSeconds,
		text: `+${startup.extraSeconds.toFixed(2)} s (${startup.helpSeconds.toFixed(2)} vs ${startup.nodeSeconds.toFixed(2)} s)`,
		target: '≤ +0.15 s',
		met: startup.extraSeconds <= 0.15,
	},
	{
		figure: 'pipeline efficiency',
		value: pipeline.efficiency,
		text: `${pipeline.efficiency.toFixed(2)} (${pipeline.pipelineTilesPerSecond.toFixed(2)} vs ${pipeline.modelsTilesPerSecond.toFixed(2)} tiles/s, ${pipeline.tiles} tiles)`,
		target: '≥ 0.9',
		met: pipeline.efficiency >= 0.9,
	},
	{
		figure: 'download scaling at 8',
		value: at8,
		text: `${at8.toFixed(1)}× (${downloads.map((entry) => `${entry.concurrency}: ${entry.tilesPerSecond.toFixed(1)}`).join(', ')} tiles/s)`,
		target: '≥ 6×',
		met: at8 >= 6,
	},
	{
		figure: 'memory, 16× tiles vs 1×',
		value: memoryGrowth,
		text: `${memoryGrowth >= 0 ? '+' : ''}${(memoryGrowth * 100).toFixed(0)}% (${memory.map((entry) => `${entry.tiles} tiles: ${entry.peakRssMb.toFixed(0)} MB`).join(', ')})`,
		target: '≤ +15%',
		met: memoryGrowth <= 0.15,
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
	node: process.version,
	cores: os.cpus().length,
	settings,
	figures,
	pipeline,
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
