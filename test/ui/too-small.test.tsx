import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {afterEach, beforeAll, expect, it} from 'vitest';
import {App} from '../../source/ui/app.js';
import type {TerminalSize} from '../../source/ui/hooks/use-terminal-size.js';
import {isolateSettings, keys, realServices, until} from './harness.js';
import {scriptedRun} from './scripted-run.js';

let unmount: (() => void) | undefined;

beforeAll(() => {
	isolateSettings();
});

afterEach(() => {
	unmount?.();
	unmount = undefined;
});

it('keeps the review as it was while the terminal is too small, and shows it again on enlarging', async () => {
	const runDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-ui-small-'));
	const services = await realServices(({preset}) => scriptedRun(preset, {runDir, stepMs: 0}));
	const app = (size: TerminalSize) => <App services={services} size={size} color={false} onOutcome={() => {}} />;
	const instance = render(app({columns: 80, rows: 24}));
	unmount = instance.unmount;
	const frame = () => instance.lastFrame() ?? '';
	const press = async (key: string) => {
		await new Promise((resolve) => setTimeout(resolve, 0));
		instance.stdin.write(key);
	};
	await until(() => frame().includes('Presets ('), 'the presets');
	await press(keys.enter);
	await until(() => frame().includes('Tiles by'), 'the review');
	await press('j');
	await press('j');
	await until(() => frame().includes('· 3/6'), 'the third tile');

	instance.rerender(app({columns: 60, rows: 20}));
	await until(() => frame().includes('enlarge the terminal'), 'the line asking for a larger terminal');
	instance.rerender(app({columns: 80, rows: 24}));
	await until(() => frame().includes('Tiles by'), 'the review again');
	expect(frame()).toContain('· 3/6');
});
