import type {Command} from 'commander';
import {UserError} from '../errors.js';
import {evaluate, type EvaluationReport} from '../app/evaluate.js';
import type {InferMode, Provider} from '../engine/infer/types.js';
import {ensembleOptions, logInferEvent, parseNumber} from './infer.js';

type EvalOptions = {
	models: string[];
	demoExtent?: string;
	cell: string;
	tile: string;
	input?: string;
	labels?: string;
	dsm?: string;
	threshold?: string;
	mode: InferMode;
	overlap?: string;
	provider: Provider;
	batchSize?: string;
	threads?: string;
	json?: boolean;
};

function parseExtent(text: string) {
	const values = text.split(',').map(Number);
	if (values.length !== 4 || values.some((value) => !Number.isFinite(value))) throw new UserError(`--demo-extent ${text}: give xmin,ymin,xmax,ymax in EPSG:3857 metres.`);
	const [xmin, ymin, xmax, ymax] = values;
	return {xmin, ymin, xmax, ymax};
}

function formatReport(report: EvaluationReport): string {
	const lines = [`${'model'.padEnd(18)} ${'thresh'.padStart(6)} ${'IoU'.padStart(6)} ${'prec.'.padStart(6)} ${'recall'.padStart(6)}`];
	for (const row of report.scores) {
		lines.push(`${row.name.padEnd(18)} ${row.threshold.toFixed(2).padStart(6)} ${row.iou.toFixed(3).padStart(6)} ${row.precision.toFixed(3).padStart(6)} ${row.recall.toFixed(3).padStart(6)}`);
	}
	const where = report.extent ? ` over ${report.extent.xmin},${report.extent.ymin},${report.extent.xmax},${report.extent.ymax} (EPSG:3857)` : '';
	return `${lines.join('\n')}\n${report.tiles} tiles, ${report.scores[0]?.pixels ?? 0} pixels${where}\n`;
}

export function register(program: Command): void {
	const command = program
		.command('eval')
		.description('IoU, precision and recall of each model and of the ensemble, against the demo scene or a folder of labels')
		.option('--demo-extent <xmin,ymin,xmax,ymax>', 'evaluate on the demo scene (EPSG:3857) against its building truth')
		.option('--cell <metres>', 'demo cell size', '0.5')
		.option('--tile <pixels>', 'demo tile size in pixels', '512')
		.option('--input <dir>', 'folder of images (instead of the demo)')
		.option('--labels <dir>', 'folder of label rasters named like the images (non-zero = the class)')
		.option('--dsm <dir>', 'folder of DSM GeoTIFFs named like the images')
		.option('--threshold <t>', 'ensemble threshold (default: the models\' mean seg_thresh; each model uses its own)')
		.option('--json', 'print the report as JSON');
	for (const option of ensembleOptions()) command.addOption(option);
	command
		.addHelpText('after', '\nExamples:\n  deepmask eval --models models/demo --demo-extent 999800,5999800,1000900,6000650\n  deepmask eval --models my.onnx --input images --labels labels')
		.action(async (options: EvalOptions) => {
			const common = {
				models: options.models,
				threshold: parseNumber('--threshold', options.threshold, 0, 1),
				mode: options.mode,
				overlap: parseNumber('--overlap', options.overlap, 0, 90),
				provider: options.provider,
				batchSize: parseNumber('--batch-size', options.batchSize, 1, 256, true),
				threadsPerModel: parseNumber('--threads', options.threads, 1, 256, true),
				onEvent: logInferEvent,
				onTile: (done: number, total: number) => {
					if (process.stderr.isTTY) process.stderr.write(`\rtile ${done}/${total}${done === total ? '\n' : ''}`);
				},
			};
			let report: EvaluationReport;
			if (options.demoExtent) {
				if (options.input || options.labels) throw new UserError('give either --demo-extent or --input with --labels, not both.');
				report = await evaluate({
					...common,
					demoExtent: parseExtent(options.demoExtent),
					cell: parseNumber('--cell', options.cell, 0.01, 1000),
					tilePixels: parseNumber('--tile', options.tile, 16, 4096, true),
				});
			} else if (options.input && options.labels) {
				report = await evaluate({...common, input: options.input, labels: options.labels, dsm: options.dsm});
			} else {
				throw new UserError('say what to evaluate against: --demo-extent xmin,ymin,xmax,ymax, or --input DIR with --labels DIR.');
			}
			process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
		});
}
