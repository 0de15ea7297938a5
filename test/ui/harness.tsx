import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {App, type AppOutcome, type AppServices} from '../../source/ui/app.js';
import type {StartRun} from '../../source/ui/engine-api.js';
import type {TerminalSize} from '../../source/ui/hooks/use-terminal-size.js';

export const keys = {
	enter: '\r',
	escape: '\x1b',
	tab: '\t',
	up: '\x1b[A',
	down: '\x1b[B',
	right: '\x1b[C',
	left: '\x1b[D',
	backspace: '\x7f',
	ctrlC: '\x03',
	ctrlU: '\x15',
};

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** User settings (conf) in a fresh folder: set before the first settings call of the test file. */
export function isolateSettings(): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-ui-settings-'));
	process.env.DEEPMASK_CONFIG_DIR = dir;
	return dir;
}

export async function realServices(startRun: StartRun): Promise<AppServices> {
	const [{catalog}, presets, settings, {describePresetLayers}] = await Promise.all([
		import('../../source/app/preset-catalog.js'),
		import('../../source/config/presets.js'),
		import('../../source/config/user-settings.js'),
		import('../../source/app/preset-layers.js'),
	]);
	return {
		catalog,
		startRun,
		saveAsUserPreset: presets.saveAsUserPreset,
		deleteUserPreset: settings.deleteUserPreset,
		rememberLastPreset: settings.rememberLastPreset,
		describeLayers: (preset) => describePresetLayers(preset),
	};
}

export type AppUnderTest = ReturnType<typeof render> & {
	frame: () => string;
	press: (...sequence: string[]) => Promise<void>;
	/** Keys in one chunk, as a fast typist, key repeat or SSH delivers them. */
	burst: (...sequence: string[]) => Promise<void>;
	type: (text: string) => Promise<void>;
	/** Polls the frames until the predicate holds; a real run under load may want more than the default 10 s. */
	waitFor: (predicate: (frame: string) => boolean, what: string, timeoutMs?: number) => Promise<string>;
	outcome: () => AppOutcome | undefined;
};

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Poll until the condition holds: bounded, never a fixed sleep standing for speed. */
export async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

export async function renderApp(options: {
	services: AppServices;
	size?: TerminalSize;
	color?: boolean;
	initialPreset?: string;
}): Promise<AppUnderTest> {
	let outcome: AppOutcome | undefined;
	const instance = render(
		<App
			services={options.services}
			size={options.size ?? {columns: 80, rows: 24}}
			color={options.color ?? false}
			initialPreset={options.initialPreset}
			onOutcome={(result) => (outcome = result)}
		/>,
	);
	const frame = () => (instance.lastFrame() ?? '').replace(ansi, '');
	// useInput subscribes in an effect: let it run before the first key.
	await until(() => frame().includes('deepmask'), 'the first frame');
	await tick();
	const press = async (...sequence: string[]) => {
		for (const key of sequence) {
			// A key can arrive right after the frame that shows a new input handler: let its effect subscribe first.
			await tick();
			instance.stdin.write(key);
			await tick();
			await tick();
		}
	};
	const burst = async (...sequence: string[]) => {
		await tick();
		instance.stdin.write(sequence.join(''));
		await tick();
		await tick();
	};
	return {
		...instance,
		frame,
		press,
		burst,
		type: (text: string) => press(...text),
		waitFor: (predicate, what, timeoutMs) =>
			until(() => (predicate(frame()) ? frame() : undefined), `${what}; last frame:\n${frame()}`, timeoutMs),
		outcome: () => outcome,
	};
}
