import os from 'node:os';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {AppServices} from '../../source/ui/app.js';
import {isolateSettings, keys, realServices, renderApp, type AppUnderTest} from './harness.js';
import {scriptedRun} from './scripted-run.js';

let services: AppServices;
let app: AppUnderTest | undefined;

beforeAll(async () => {
	isolateSettings();
	services = await realServices(({preset}) => scriptedRun(preset, {runDir: os.tmpdir(), stepMs: 1000}));
});

afterEach(() => {
	app?.unmount();
	app = undefined;
});

const tilesOf = (frame: string) => Number(/= (\d+) tiles/.exec(frame)?.[1]);

describe('extent screen', () => {
	it('shows the plan preview with padding, grid, download size and a map of the tiles', async () => {
		app = await renderApp({services});
		await app.press('e');
		const frame = await app.waitFor((text) => text.includes('Plan preview'), 'the extent screen');
		expect(frame).toMatch(/xmin\s+1000000/);
		expect(frame).toMatch(/adjusted 999\d+/);
		expect(frame).toMatch(/padding\s+L \d/);
		expect(frame).toMatch(/grid\s+2 × 3 = 6 tiles/);
		expect(frame).toMatch(/download ≈ \d/);
		expect(frame).toMatch(/[█▓]/);
		expect(frame).toMatch(/[░▒]/);
		for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
	});

	it('handles keys that arrive together in one chunk one by one (fast typing, key repeat, SSH)', async () => {
		app = await renderApp({services});
		await app.press('e');
		await app.waitFor((text) => text.includes('Plan preview'), 'the extent screen');
		await app.press(`jj${keys.enter}`);
		await app.waitFor((text) => /›xmax/.test(text), 'xmax selected by two j in one chunk');
		await app.press(`${keys.backspace}${keys.backspace}${keys.backspace}500${keys.enter}`);
		await app.waitFor(
			(text) => /xmax\s+1000500\b/.test(text),
			'three backspaces, a pasted value and Enter in one chunk',
		);
	});

	it("validates as you type with the planner's message, and applies on Enter", async () => {
		app = await renderApp({services});
		await app.press('e');
		await app.waitFor((text) => text.includes('Plan preview'), 'the extent screen');
		// xmin beyond xmax: the planner's own message shows while typing.
		await app.press(keys.enter, keys.ctrlU);
		await app.type('1000900');
		await app.waitFor((text) => text.includes('inverted'), 'the inverted-extent error');
		await app.press(keys.backspace, keys.backspace, keys.backspace);
		await app.type('x');
		await app.waitFor((text) => text.includes('is not a number'), 'the parse error');
		await app.press(keys.escape);
		await app.waitFor((text) => !text.includes('not a number') && /xmin\s+1000000/.test(text), 'the edit cancelled');

		// Grow xmax: more tiles.
		const before = tilesOf(app.frame());
		await app.press('j', 'j', keys.enter, keys.ctrlU);
		await app.type('1002000');
		await app.waitFor((text) => tilesOf(text) > before, 'more tiles while typing');
		await app.press(keys.enter);
		await app.waitFor((text) => /xmax\s+1002000/.test(text), 'xmax applied');

		// Choices cycle with Space; align to grid changes the padding.
		await app.press('j', 'j', 'j', 'j', 'j', 'j', 'j', ' ');
		await app.waitFor((text) => text.includes('‹ yes ›'), 'align to grid on');

		// Centre + size mode edits the same extent.
		await app.press('m');
		await app.waitFor((text) => /width\s+2000/.test(text) && /centre x\s+1001000/.test(text), 'centre and size');

		await app.press(keys.escape);
		const presets = await app.waitFor((text) => text.includes('edits to "demo" kept'), 'back on the presets');
		expect(presets).toContain('*demo');
		expect(presets).toContain('edited');

		// Quitting would lose the edits: the app asks.
		await app.press('q');
		await app.waitFor((text) => text.includes('Unsaved preset edits (demo) are lost'), 'the quit question');
		await app.press('n');
		await app.waitFor((text) => !text.includes('Unsaved preset edits'), 'the question gone');
		expect(app.outcome()).toBeUndefined();
	});

	it('asks before leaving with invalid edits', async () => {
		app = await renderApp({services});
		await app.press('e');
		await app.waitFor((text) => text.includes('Plan preview'), 'the extent screen');
		await app.press('j', 'j', 'j', 'j', 'j', 'j', keys.enter, keys.ctrlU);
		await app.type('0');
		await app.press(keys.enter);
		await app.waitFor((text) => text.includes('cellSize'), 'the schema error');
		await app.press(keys.escape);
		await app.waitFor((text) => text.includes('Leave and drop them?'), 'the question');
		await app.press('y');
		const presets = await app.waitFor((text) => text.includes('Presets ('), 'the presets');
		expect(presets).not.toContain('*demo');
	});
});
