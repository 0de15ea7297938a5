import type {Command} from 'commander';
import {UserError} from '../errors.js';
import {ensembleOptions, ensembleSettings, type EnsembleFlagValues} from './ensemble-options.js';

type InferOptions = EnsembleFlagValues & {
	input: string;
	out: string;
	dsm?: string;
	size?: string;
	probabilities?: boolean;
};

function parseSize(text: string): {width: number; height: number} {
	const match = /^(\d+)x(\d+)$/i.exec(text.trim());
	const width = Number(match?.[1]);
	const height = Number(match?.[2]);
	if (!match || width < 1 || height < 1)
		throw new UserError(`--size ${text}: give the output size as WIDTHxHEIGHT, e.g. 512x512.`);
	return {width, height};
}

export function register(program: Command): void {
	const command = program
		.command('infer')
		.description('masks for a folder of images (PNG, JPEG, TIFF, GeoTIFF) with an ensemble of ONNX models')
		.requiredOption('--input <dir>', 'folder of input images')
		.requiredOption(
			'--out <dir>',
			'output folder: masks/<name>.png (0/255) or masks/<name>.tif (GeoTIFF 0/1 for GeoTIFF input)',
		)
		.option('--dsm <dir>', 'folder of DSM GeoTIFFs named like the images (for models with a DSM band)')
		.option('--size <WxH>', "mask size (default: each input image's size)")
		.option('--threshold <t>', "probability threshold 0–1 (default: the models' mean seg_thresh)")
		.option(
			'--probabilities',
			"also write the ensemble probability (0–255; multi-class: the winning class's) to prob/",
		);
	for (const option of ensembleOptions()) command.addOption(option);
	command
		.addHelpText(
			'after',
			'\nExample:\n  deepmask infer --models models/demo --input tiles/rgb --dsm tiles/dsm --out /tmp/masks --mode sliding',
		)
		.action(async (options: InferOptions) => {
			const started = performance.now();
			const size = options.size === undefined ? undefined : parseSize(options.size);
			const settings = ensembleSettings(options);
			const {inferFolder} = await import('../app/infer-folder.js');
			const result = await inferFolder({
				...settings,
				input: options.input,
				out: options.out,
				dsm: options.dsm,
				size,
				probabilities: options.probabilities,
				onFile: (file) => process.stderr.write(`${file.mask}  ${(file.foreground * 100).toFixed(1)}% foreground\n`),
			});
			const seconds = (performance.now() - started) / 1000;
			process.stdout.write(
				`${result.files.length} masks in ${options.out} (threshold ${result.threshold.toFixed(2)}, ${result.models.length} models, ${seconds.toFixed(1)} s)\n`,
			);
		});
}
