import {afterEach, beforeAll, expect, it} from 'vitest';
import {App} from '../../source/ui/app.js';
import type {TerminalSize} from '../../source/ui/hooks/use-terminal-size.js';
import {isolateSettings, keys, renderApp, type AppUnderTest} from './harness.js';
import {scriptedServices} from './scripted-run.js';

let app: AppUnderTest | undefined;

beforeAll(() => {
	isolateSettings();
});

afterEach(() => {
	app?.unmount();
	app = undefined;
});

it('keeps the review as it was while the terminal is too small, and shows it again on enlarging', async () => {
	const {services} = await scriptedServices({stepMs: 0});
	const sized = (size: TerminalSize) => <App services={services} size={size} color={false} onOutcome={() => {}} />;
	app = await renderApp({services});
	await app.press(keys.enter);
	await app.waitFor((text) => text.includes('Tiles by'), 'the review');
	await app.press('j', 'j');
	await app.waitFor((text) => text.includes('· 3/6'), 'the third tile');

	app.rerender(sized({columns: 60, rows: 20}));
	await app.waitFor((text) => text.includes('enlarge the terminal'), 'the line asking for a larger terminal');
	app.rerender(sized({columns: 80, rows: 24}));
	const frame = await app.waitFor((text) => text.includes('Tiles by'), 'the review again');
	expect(frame).toContain('· 3/6');
});
