import type {Command} from 'commander';
import {RunError} from '../errors.js';
import type {Check} from '../engine/infer/diagnose.js';

function line(check: Check): string {
	const mark = check.ok ? 'ok  ' : check.required ? 'FAIL' : 'no  ';
	return `${mark} ${check.name}: ${check.detail}${check.fix ? `\n     fix: ${check.fix}` : ''}`;
}

export function register(program: Command): void {
	program
		.command('doctor')
		.description(
			'check the environment: Node, onnxruntime and which execution providers really load, sharp, models, presets',
		)
		.option('--json', 'print the report as JSON')
		.action(async (options: {json?: boolean}) => {
			const {diagnose} = await import('../engine/infer/diagnose.js');
			const report = await diagnose();
			if (options.json) {
				process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
			} else {
				const models = report.models.length > 0 ? report.models.map(line) : ['     (no .onnx models under models/)'];
				const presets = report.presets.length > 0 ? report.presets.join(', ') : '(none)';
				process.stdout.write(
					`${[...report.checks.map(line), '', 'models:', ...models, '', `presets: ${presets}`].join('\n')}\n`,
				);
			}
			if (!report.ok) throw new RunError('the CPU inference path does not work (see FAIL above).');
		});
}
