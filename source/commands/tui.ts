import type {Command} from 'commander';
import {applyNoColor, requireInteractiveTerminal} from '../ui/interactive-terminal.js';
import {UserError} from '../errors.js';

const NEEDS_TERMINAL =
	'the terminal app needs an interactive terminal; for scripts use: deepmask run --preset <name> --yes';

export function register(program: Command): void {
	program
		.command('tui', {isDefault: true, hidden: true})
		.description('the full-screen terminal app (what `deepmask` with no command opens)')
		.option('-p, --preset <name>', 'open on this preset (default: the last one used, else demo)')
		// As the default command, it also receives what looked like a command but is none.
		.argument('[command]')
		.action(async (unknown: string | undefined, options: {preset?: string}) => {
			if (unknown !== undefined)
				throw new UserError(`"${unknown}" is not a deepmask command; run \`deepmask --help\` to list them`);
			requireInteractiveTerminal(NEEDS_TERMINAL, 'the app');
			applyNoColor();
			const [{runTui}, {catalog}, presets, settings, {startRun}, {describePresetLayers}] = await Promise.all([
				import('../ui/run-tui.js'),
				import('../app/preset-catalog.js'),
				import('../config/presets.js'),
				import('../config/user-settings.js'),
				import('../app/start-run.js'),
				import('../app/preset-layers.js'),
			]);
			const outcome = await runTui({
				initialPreset: options.preset ?? settings.lastPresetName() ?? 'demo',
				services: {
					catalog,
					startRun,
					saveAsUserPreset: presets.saveAsUserPreset,
					deleteUserPreset: settings.deleteUserPreset,
					rememberLastPreset: settings.rememberLastPreset,
					withArea: async (preset) => (await import('../app/area.js')).withArea(preset),
					describeLayers: (preset) => describePresetLayers(preset),
				},
			});
			for (const line of outcome.summary) process.stdout.write(`${line}\n`);
			if (outcome.code === 130) process.stderr.write('deepmask: interrupted\n');
			process.exitCode = outcome.code;
			// Worker threads or sockets of a cancelled run must not hold the terminal: leave soon after.
			setTimeout(() => process.exit(outcome.code), 2000).unref();
		});
}
