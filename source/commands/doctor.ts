import {Option, type Command} from 'commander';
import {RunError, UserError} from '../errors.js';
import type {Check} from '../engine/infer/diagnose.js';
import {providerChoices, type Provider} from '../engine/infer/types.js';

function line(check: Check): string {
	const mark = check.ok ? 'ok  ' : check.required ? 'FAIL' : 'no  ';
	return `${mark} ${check.name}: ${check.detail}${check.fix ? `\n     fix: ${check.fix}` : ''}`;
}

type DoctorOptions = {json?: boolean; models?: string[]; provider: Provider; preset?: string};

export function register(program: Command): void {
	program
		.command('doctor')
		.description(
			'check the environment: Node, onnxruntime and which execution providers really load, sharp, models, presets',
		)
		.option('--json', 'print the report as JSON')
		.option(
			'--models <paths...>',
			'check these models (.onnx files or folders) instead of the shipped ones: metadata, shapes, a test run, classes',
		)
		.option(
			'--preset <name|file>',
			"also open the preset's layers as a run would: each layer's kind, CRS, resolution and the level or overview read",
		)
		.addOption(
			new Option('--provider <provider>', 'execution provider for --models').choices(providerChoices).default('auto'),
		)
		.action(async (options: DoctorOptions) => {
			const [{diagnose}, {checkModels}, {loadPreset}, {describePresetLayers}, {layerSummary}] = await Promise.all([
				import('../engine/infer/diagnose.js'),
				import('../engine/infer/check-models.js'),
				import('../config/presets.js'),
				import('../app/preset-layers.js'),
				import('../engine/sources/layer-summary.js'),
			]);
			const preset = options.preset === undefined ? undefined : loadPreset(options.preset);
			const report = await diagnose();
			const given = options.models && (await checkModels(options.models, options.provider));
			const layers = preset && (await describePresetLayers(preset.preset));
			const models = given ? [...given.models, ...(given.ensemble ? [given.ensemble] : [])] : report.models;
			if (options.json) {
				const ok = report.ok && (given?.ok ?? true) && !layers?.some((layer) => layer.error);
				process.stdout.write(`${JSON.stringify({...report, models, layers, ok}, null, 2)}\n`);
			} else {
				const modelLines = models.length > 0 ? models.map(line) : ['     (no .onnx models under models/)'];
				const presets = report.presets.length > 0 ? report.presets.join(', ') : '(none)';
				const layerLines = (layers ?? []).flatMap((layer) => [
					layer.description
						? `ok   ${layer.role}: ${layerSummary(layer.description)}`
						: `no   ${layer.role}: ${layer.error}`,
					...layer.warnings.map((warning) => `     warning: ${warning}`),
				]);
				const layerSection = preset ? ['', `layers of ${preset.name}:`, ...layerLines] : [];
				process.stdout.write(
					`${[...report.checks.map(line), '', 'models:', ...modelLines, ...layerSection, '', `presets: ${presets}`].join('\n')}\n`,
				);
			}
			if (!report.ok) throw new RunError('the CPU inference path does not work (see FAIL above).');
			const failedLayers = layers?.filter((layer) => layer.error) ?? [];
			if (failedLayers.length > 0)
				throw new UserError(
					`the preset's ${failedLayers.map((layer) => layer.role).join(' and ')} layer cannot be opened (see "no" above)`,
				);
			if (given && !given.ok)
				throw new UserError(
					`${given.models.filter((check) => !check.ok).length || 'the'} of the models given failed the checks (see "no" above); fix them or leave them out of the preset`,
				);
		});
}
