import type {Command} from 'commander';
import {UserError} from '../errors.js';
import type {EvaluationReport, NamedScores} from '../app/evaluate.js';
import type {Bbox} from '../engine/geo/georaster.js';
import {parseExtentText} from '../config/overrides.js';
import {ensembleOptions, ensembleSettings, type EnsembleFlagValues} from './ensemble-options.js';
import {parseNumber} from './parse-number.js';

type EvalOptions = EnsembleFlagValues & {
	demoExtent?: string;
	cell: string;
	tile: string;
	input?: string;
	labels?: string;
	dsm?: string;
	json?: boolean;
};

function parseDemoExtent(text: string) {
	const extent = parseExtentText(text);
	if (!extent) throw new UserError(`--demo-extent ${text}: give xmin,ymin,xmax,ymax in EPSG:3857 metres.`);
	return extent;
}

const scoreColumns = `${'thresh'.padStart(6)} ${'IoU'.padStart(6)} ${'prec.'.padStart(6)} ${'recall'.padStart(6)}`;

function scoreRow(row: NamedScores, nameWidth: number): string {
	return `${row.name.padEnd(nameWidth)} ${row.threshold.toFixed(2).padStart(6)} ${row.iou.toFixed(3).padStart(6)} ${row.precision.toFixed(3).padStart(6)} ${row.recall.toFixed(3).padStart(6)}`;
}

function formatReport(report: EvaluationReport): string {
	// Model names get at least 18 columns, more when one is longer.
	const nameWidth = Math.max(18, ...report.scores.map((row) => row.name.length));
	const lines = [
		`${'model'.padEnd(nameWidth)} ${scoreColumns}`,
		...report.scores.map((row) => scoreRow(row, nameWidth)),
	];
	if (report.classes) {
		// Multi-class: the table above is any class against the background; then each class on its own.
		const width = Math.max(...report.classes.map(({id, name}) => `${id} ${name}`.length), 'class'.length);
		lines.push('', `${'class'.padEnd(width)} ${'model'.padEnd(nameWidth)} ${scoreColumns}`);
		for (const {id, name, scores} of report.classes) {
			for (const row of scores) lines.push(`${`${id} ${name}`.padEnd(width)} ${scoreRow(row, nameWidth)}`);
		}
	}
	const where = report.extent
		? ` over ${report.extent.xmin},${report.extent.ymin},${report.extent.xmax},${report.extent.ymax} (EPSG:3857)`
		: '';
	return `${lines.join('\n')}\n${report.tiles} tiles, ${report.scores[0]?.pixels ?? 0} pixels${where}\n`;
}

export function register(program: Command): void {
	const command = program
		.command('eval')
		.description(
			'IoU, precision and recall of each model and of the ensemble, against the demo scene or a folder of labels',
		)
		.option(
			'--demo-extent <xmin,ymin,xmax,ymax>',
			'evaluate on the demo scene (EPSG:3857) against its building truth (its land cover for multi-class models)',
		)
		.option('--cell <metres>', 'demo cell size', '0.5')
		.option('--tile <pixels>', 'demo tile size in pixels', '512')
		.option('--input <dir>', 'folder of images (instead of the demo)')
		.option(
			'--labels <dir>',
			'folder of label rasters named like the images (non-zero = the class; class ids for multi-class models)',
		)
		.option('--dsm <dir>', 'folder of DSM GeoTIFFs named like the images')
		.option('--threshold <t>', "ensemble threshold (default: the models' mean seg_thresh; each model uses its own)")
		.option('--json', 'print the report as JSON');
	for (const option of ensembleOptions()) command.addOption(option);
	command
		.addHelpText(
			'after',
			'\nExamples:\n  deepmask eval --models models/demo --demo-extent 999800,5999800,1000900,6000650\n  deepmask eval --models my.onnx --input images --labels labels',
		)
		.action(async (options: EvalOptions) => {
			const common = {
				...ensembleSettings(options),
				onTile: (done: number, total: number) => {
					if (process.stderr.isTTY) process.stderr.write(`\rtile ${done}/${total}${done === total ? '\n' : ''}`);
				},
			};
			let against:
				{demoExtent: Bbox; cell?: number; tilePixels?: number} | {input: string; labels: string; dsm?: string};
			if (options.demoExtent) {
				if (options.input || options.labels)
					throw new UserError('give either --demo-extent or --input with --labels, not both.');
				against = {
					demoExtent: parseDemoExtent(options.demoExtent),
					cell: parseNumber('--cell', options.cell, 0.01, 1000),
					tilePixels: parseNumber('--tile', options.tile, 16, 4096, true),
				};
			} else if (options.input && options.labels) {
				against = {input: options.input, labels: options.labels, dsm: options.dsm};
			} else {
				throw new UserError(
					'say what to evaluate against: --demo-extent xmin,ymin,xmax,ymax, or --input DIR with --labels DIR.',
				);
			}
			const {evaluate} = await import('../app/evaluate.js');
			const report = await evaluate({...common, ...against});
			process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
		});
}
