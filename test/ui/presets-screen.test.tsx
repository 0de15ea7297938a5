import os from 'node:os';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {AppServices} from '../../source/ui/app.js';
import {isolateSettings, keys, realServices, renderApp, until, type AppUnderTest} from './harness.js';
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

describe('presets screen', () => {
	it('lists shipped presets with services, extent, tiles and models, opening on demo', async () => {
		app = await renderApp({services});
		const frame = await app.waitFor((text) => /models\s+[^…\s]/.test(text), 'details with the model list');
		expect(frame.split('\n')[0]).toContain('Presets');
		expect(frame).toContain('demo  (shipped)');
		expect(frame).toMatch(/›\s+demo/);
		expect(frame).toContain('world-imagery-3dep');
		expect(frame).toContain('MapServer');
		expect(frame).toContain('ImageServer');
		expect(frame).toMatch(/extent\s+700 × 450 m/);
		expect(frame).toMatch(/grid\s+\d+ × \d+ = \d+ tiles/);
		expect(frame).toMatch(/download\s+≈/);
		for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
		expect(frame.split('\n').length).toBeLessThanOrEqual(23);
	});

	it('shows what each layer will read, asked of its source once the selection rests', async () => {
		app = await renderApp({services});
		const frame = await app.waitFor((text) => text.includes('exportImage, resampled'), "the layers' answers", 20_000);
		expect(frame).toMatch(/MapServer · EPSG:3857 · export, resampled/);
		expect(frame).toMatch(/ImageServer · EPSG:3857 · 0\.5 m per px/);
		for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
	});

	it('moves with j/k and arrows, and opens on the last used preset', async () => {
		app = await renderApp({services, initialPreset: 'world-imagery-3dep'});
		expect(app.frame()).toMatch(/›\s+world-imagery-3dep/);
		await app.press('k');
		await app.waitFor((text) => /›\s+demo/.test(text), 'demo selected');
		await app.press(keys.down);
		await app.waitFor((text) => /›\s+world-imagery-3dep/.test(text), 'world selected');
	});

	it('saves, duplicates and deletes user presets', async () => {
		app = await renderApp({services});
		await app.press('s');
		await app.waitFor((text) => text.includes('Save as user preset named:'), 'the name prompt');
		await app.press(keys.ctrlU);
		await app.type('town');
		await app.press(keys.enter);
		await app.waitFor(
			(text) => text.includes('saved user preset "town"') && /›u\s*town/.test(text),
			'town saved and selected',
		);
		// Its results go to a folder of its own, not the demo's.
		await app.waitFor((text) => /output\s+deepmask-out\/town\s/.test(text), 'the output folder named after the copy');
		expect(services.catalog().find((entry) => entry.name === 'town')?.loaded?.preset.output.dir).toBe(
			'deepmask-out/town',
		);

		await app.press('d');
		await app.waitFor((text) => text.includes('saved user preset "town-copy"'), 'the duplicate');

		await app.press('x');
		await app.waitFor((text) => text.includes('Delete user preset "town-copy"?'), 'the delete question');
		await app.press('n');
		await app.waitFor((text) => !text.includes('Delete user preset'), 'the question gone');
		expect(app.frame()).toContain('town-copy');
		await app.press('x', 'y');
		await app.waitFor((text) => text.includes('deleted user preset "town-copy"'), 'the deletion');
		expect(app.frame()).not.toMatch(/town-copy\s*│/);
	});

	it('shows every key in the help overlay and closes it with Esc', async () => {
		app = await renderApp({services});
		await app.press('?');
		const help = await app.waitFor((text) => text.includes('Keys on Presets'), 'the help');
		for (const expected of ['Enter', 'duplicate', 'delete', 'Keys everywhere', 'Ctrl-C', 'Tab'])
			expect(help).toContain(expected);
		await app.press(keys.escape);
		await app.waitFor((text) => !text.includes('Keys on Presets'), 'the help closed');
	});

	it('moves once per key when keys come in bursts, with g/G/End and the position in the title', async () => {
		const demo = services.catalog().find((entry) => entry.name === 'demo')!.loaded!;
		for (const name of ['burst-a', 'burst-b', 'burst-c', 'burst-d'])
			services.saveAsUserPreset(name, demo.raw, demo.preset);
		const total = services.catalog().length;
		app = await renderApp({services, initialPreset: 'burst-a'});
		await app.waitFor((text) => text.includes(`Presets (1/${total})`), 'the first');
		await app.burst('j', 'j', 'j');
		await app.waitFor((text) => text.includes(`Presets (4/${total})`) && /›u\s*burst-d/.test(text), 'three rows down');
		await app.burst('k', 'k', 'j');
		await app.waitFor((text) => text.includes(`Presets (3/${total})`) && /›u\s*burst-c/.test(text), 'one row up');
		await app.burst('G');
		await app.waitFor((text) => text.includes(`Presets (${total}/${total})`), 'the last');
		await app.burst('g', 'j');
		await app.waitFor((text) => text.includes(`Presets (2/${total})`), 'the second');
		for (const name of ['burst-a', 'burst-b', 'burst-c', 'burst-d']) services.deleteUserPreset(name);
	});

	it('says why x does nothing on a shipped preset', async () => {
		app = await renderApp({services});
		await app.press('x');
		await app.waitFor((text) => text.includes('x deletes user presets only; "demo" is shipped'), 'the reason');
	});

	it('shows a long message whole, over more than one line', async () => {
		app = await renderApp({services});
		await app.press('s');
		await app.waitFor((text) => text.includes('Save as user preset named:'), 'the name prompt');
		await app.press(keys.ctrlU);
		await app.type('my town centre');
		await app.press(keys.enter);
		const frame = await app.waitFor((text) => text.includes('cannot be a preset name'), 'the message');
		expect(frame.replace(/\s+/g, ' ')).toContain(
			'"my town centre" cannot be a preset name; use letters, digits, "-", "_" or "." (no ".json")',
		);
		expect(frame.split('\n').length).toBeLessThanOrEqual(23);
		expect(frame).toMatch(/╚═+╝/);
	});

	it('says to enlarge a terminal below 80×24 instead of losing rows, and still quits on q', async () => {
		app = await renderApp({services, size: {columns: 60, rows: 15}});
		const frame = await app.waitFor((text) => text.includes('enlarge the terminal to 80×24; now 60×15'), 'the line');
		expect(frame).not.toContain('Presets (');
		await app.press('j');
		await app.press('q');
		await until(() => app?.outcome(), 'the outcome');
		expect(app.outcome()).toEqual({code: 0, summary: []});
	});

	it('quits on q with no run going on', async () => {
		app = await renderApp({services});
		await app.press('q');
		const outcome = await app.waitFor(() => app?.outcome() !== undefined, 'the outcome').then(() => app!.outcome());
		expect(outcome).toEqual({code: 0, summary: []});
	});
});
