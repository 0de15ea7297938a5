import {existsSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {AppServices} from '../../source/ui/app.js';
import {isolateSettings, keys, renderApp, until, type AppUnderTest} from './harness.js';
import {scriptedServices, type ScriptOptions} from './scripted-run.js';

let app: AppUnderTest | undefined;
let runDir: string;

beforeAll(() => {
	isolateSettings();
});

afterEach(() => {
	app?.unmount();
	app = undefined;
});

async function servicesWith(options: Omit<ScriptOptions, 'runDir'>): Promise<AppServices> {
	const scripted = await scriptedServices(options);
	runDir = scripted.runDir;
	return scripted.services;
}

describe('run dashboard (scripted events)', () => {
	it('shows downloads, each model, the log and overall progress; pauses and resumes', async () => {
		app = await renderApp({services: await servicesWith({stepMs: 25})});
		await app.press(keys.enter);
		const frame = await app.waitFor((text) => /alpha .*[1-9]\/6/.test(text), 'a model with progress');
		expect(frame).toContain('Run · demo');
		expect(frame).toMatch(/rgb\s+[█░]+\s+\d\/6/);
		expect(frame).toMatch(/dsm\s+[█░]+\s+\d\/6/);
		expect(frame).toContain('in flight');
		expect(frame).toContain('Inference · cpu');
		for (const model of ['alpha', 'beta', 'gamma'])
			expect(frame).toMatch(new RegExp(`${model}\\s+[█░]+\\s+\\d/6\\s+[\\d.]+/s\\s+\\d+ms`));
		expect(frame).toMatch(/ensemble\s+[█░]+/);
		expect(frame).toMatch(/writing\s+[█░]+/);
		expect(frame).toContain('fetching 6 tiles');
		expect(frame).toMatch(/overall [█░]+\s+\d+%\s+elapsed \d+:\d\d\s+ETA/);
		for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);

		await app.press('p');
		await app.waitFor((text) => text.includes('paused: p resumes'), 'paused');
		await app.press('p');
		await app.waitFor((text) => text.includes('Review · demo'), 'the run to reach review');
	});

	it('cancels after asking, and goes back with Esc', async () => {
		app = await renderApp({services: await servicesWith({stepMs: 50})});
		await app.press(keys.enter);
		await app.waitFor((text) => text.includes('Downloads'), 'the dashboard');
		await app.press('c');
		await app.waitFor((text) => text.includes('Cancel the run?'), 'the question');
		await app.press('y');
		await app.waitFor((text) => text.includes('cancelled') && text.includes('Esc back'), 'the cancelled run');
		await app.press(keys.escape);
		await app.waitFor((text) => text.includes('Presets ('), 'the presets');
	});

	it('stops looking live once cancelled or paused, and says so in the one hint line', async () => {
		app = await renderApp({services: await servicesWith({stepMs: 100, cancelTakesMs: 2500})});
		await app.press(keys.enter);
		await app.waitFor((text) => /ETA \d+:\d\d/.test(text), 'a running dashboard with an ETA');
		const hint = (text: string) => text.trimEnd().split('\n').at(-1)!;
		expect(hint(app.frame())).toMatch(/^p pause {2}c cancel/);

		await app.press('p');
		const paused = await app.waitFor((text) => hint(text).startsWith('p resume'), 'the hint to offer resume');
		expect(paused).toContain('paused: p resumes');
		expect(paused).toMatch(/ETA –/);
		await app.press('p');
		await app.waitFor((text) => hint(text).startsWith('p pause'), 'running again');

		await app.press('c', 'y');
		const cancelling = await app.waitFor((text) => hint(text).startsWith('cancelling'), 'the cancelling hint');
		expect(cancelling).toMatch(/ETA –/);
		expect(cancelling).not.toMatch(/Downloads · ETA/);
		const elapsed = (text: string) => /elapsed (\d+:\d\d)/.exec(text)?.[1];
		await new Promise((resolve) => setTimeout(resolve, 1200));
		expect(elapsed(app.frame())).toBe(elapsed(cancelling));
		await app.press('p');
		await app.waitFor((text) => text.includes('the run is being cancelled'), 'why p does nothing');
		await app.waitFor((text) => hint(text).startsWith('Esc back') && text.includes('cancelled'), 'the end');
	});

	it('shows a failed run and asks before quitting a live one', async () => {
		app = await renderApp({services: await servicesWith({stepMs: 5, failAfter: 20})});
		await app.press(keys.enter);
		await app.waitFor((text) => text.includes('HTTP 500') && text.includes('failed'), 'the failure');
		await app.press(keys.escape);
		await app.waitFor((text) => text.includes('Presets ('), 'the presets');

		app.unmount();
		app = await renderApp({services: await servicesWith({stepMs: 1000})});
		await app.press(keys.enter);
		await app.waitFor((text) => text.includes('Downloads'), 'the dashboard');
		await app.press('q');
		await app.waitFor((text) => text.includes('A run is going on. Cancel it and quit?'), 'the quit question');
		await app.press('y');
		const outcome = await until(() => app?.outcome(), 'the outcome');
		expect(outcome.code).toBe(0);
		expect(outcome.summary.join('\n')).toMatch(/run of demo cancelled; finished tiles are kept in/);
	});

	it('Ctrl-C stops a live run and ends with 130', async () => {
		app = await renderApp({services: await servicesWith({stepMs: 1000})});
		await app.press(keys.enter);
		await app.waitFor((text) => text.includes('Downloads'), 'the dashboard');
		await app.press(keys.ctrlC);
		const outcome = await until(() => app?.outcome(), 'the outcome');
		expect(outcome.code).toBe(130);
	});
});

describe('review screen (scripted run, real statistics)', () => {
	it('changes the threshold, sorts tiles, previews and writes', async () => {
		app = await renderApp({services: await servicesWith({stepMs: 0})});
		await app.press(keys.enter);
		const first = await app.waitFor(
			(text) => text.includes('Review · demo') && text.includes('image | mask') && text.includes('#'),
			'the review with a preview',
		);
		expect(first).toMatch(/threshold\s+0\.50/);
		expect(first).toMatch(/foreground \d+\.\d%/);
		expect(first).toContain('Agreement (IoU)');
		// The seam figure beside the mode, short at 80 columns.
		expect(first).toMatch(/resize · seams \d+\.\d% disagree/);
		expect(first).toMatch(/1 alpha\s+1\.00/);
		expect(first).toMatch(/\s+1\s+2\s+3\s+ens/);
		expect(first).toContain('Probability histogram');
		expect(first).toContain('Tiles by foreground (6)');
		expect(first).toMatch(/#/);
		for (const line of first.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
		const foreground = (text: string) => /foreground (\d+\.\d)%/.exec(text)?.[1];
		const maskOf = (text: string) => (text.match(/#/g) ?? []).length;

		await app.press('+');
		const higher = await app.waitFor(
			(text) => /threshold\s+0\.55/.test(text) && foreground(text) !== foreground(first),
			'the new statistics',
		);
		await app.waitFor((text) => maskOf(text) !== maskOf(first), 'the new preview');
		await app.press(keys.left, keys.left);
		await app.waitFor(
			(text) => /threshold\s+0\.45/.test(text) && foreground(text) !== foreground(higher),
			'the threshold down',
		);

		// Keys faster than the statistics: every step counts, the last one wins.
		await app.press('+', '+', '+');
		await app.waitFor((text) => /threshold\s+0\.60\s+│/.test(text), 'three steps up, settled');

		await app.press('s');
		await app.waitFor((text) => text.includes('Tiles by uncertainty'), 'sorted by uncertainty');
		await app.press('s');
		await app.waitFor((text) => text.includes('Tiles by disagreement'), 'sorted by disagreement');
		await app.press('j');

		await app.press('w');
		await app.waitFor((text) => text.includes('demo: wrote masks of 6 tiles to'), 'written');
		expect(existsSync(path.join(runDir, 'stats.json'))).toBe(true);
		await app.press('q');
		const outcome = await until(() => app?.outcome(), 'the outcome');
		expect(outcome).toEqual({code: 0, summary: [`demo: wrote masks of 6 tiles to ${runDir}: stats.json`]});
	});

	it('moves through the tiles once per key when keys come in bursts', async () => {
		app = await renderApp({services: await servicesWith({stepMs: 0})});
		await app.press(keys.enter);
		await app.waitFor((text) => text.includes('Tiles by foreground (6) · 1/6'), 'the review');
		// The header says review, not a running stage (the scripted run takes no time, but a busy host does).
		await app.waitFor((text) => / review · \d+:\d\d\s*$/.test(text.split('\n')[0]), 'review in the header');
		await app.burst('j', 'j', 'j');
		await app.waitFor((text) => text.includes('Tiles by foreground (6) · 4/6'), 'three rows down');
		await app.burst('j', 'j', 'j', 'j', 'k');
		await app.waitFor((text) => text.includes('· 5/6'), 'clamped at the end, then one up');
		await app.burst('s', 's');
		await app.waitFor((text) => text.includes('Tiles by disagreement'), 'two sorts on');
		await app.burst('G', 'k');
		await app.waitFor((text) => text.includes('· 5/6'), 'the last, then one up');
		expect(app.frame()).toMatch(/›r\d+_c\d+/);
	});

	it('maps the tiles by foreground or disagreement with the selected tile marked, small at 80×24 and larger at 200×50', async () => {
		const mark = (text: string) => {
			const lines = text.split('\n');
			const line = lines.findIndex((row) => row.includes('◆'));
			return line < 0 ? undefined : `${line}:${lines[line].indexOf('◆')}`;
		};
		app = await renderApp({services: await servicesWith({stepMs: 0})});
		await app.press(keys.enter);
		const first = await app.waitFor(
			(text) => text.includes('Tiles by foreground (6) · 1/6') && !!mark(text),
			'the map',
		);
		expect(first.match(/◆/g)).toHaveLength(1);
		expect(first).toMatch(/dis%\s+fg\s/);
		expect(first).toMatch(/threshold\s+0\.50/);
		expect(first).toContain('Probability histogram');
		await app.press('j');
		const second = await app.waitFor((text) => text.includes('· 2/6'), 'the next tile');
		expect(mark(second)).toBeDefined();
		expect(mark(second)).not.toBe(mark(first));
		await app.press('k');
		await app.waitFor((text) => text.includes('· 1/6') && mark(text) === mark(first), 'the mark back');
		await app.press('m');
		await app.waitFor((text) => /dis%\s+dis\s/.test(text), 'the map by disagreement');
		app.unmount();

		app = await renderApp({services: await servicesWith({stepMs: 0}), size: {columns: 200, rows: 50}});
		await app.press(keys.enter);
		const large = await app.waitFor(
			(text) => !!mark(text) && text.includes('Tiles by foreground (6)'),
			'the large map',
		);
		expect(large).toMatch(/fg █ \d+%/);
		expect(large).toMatch(/resize · \d+\.\d% of seam pixels disagree/);
		const shaded = (text: string) => (text.match(/[·░▒▓█◆]/g) ?? []).length;
		expect(shaded(large)).toBeGreaterThan(4 * shaded(first));
	});

	it('enlarges the preview with Enter, back with Esc or Enter, and switches image, mask and overlay with v', async () => {
		const previewLines = (text: string) =>
			text
				.split('\n')
				.slice(2, -3)
				.map((line) => line.slice(2, -2).trim());
		app = await renderApp({services: await servicesWith({stepMs: 0})});
		await app.press(keys.enter);
		const normal = await app.waitFor((text) => text.includes('image | mask') && text.includes('#'), 'the preview');
		const widest = (text: string) => Math.max(...(text.match(/[.#]+/g) ?? []).map((run) => run.length));
		await app.press(keys.enter);
		const large = await app.waitFor(
			(text) => text.includes('image | mask · v view · Enter or Esc back') && text.includes('#'),
			'the enlarged preview',
		);
		expect(large).not.toContain('Tiles by');
		expect(large).not.toContain('Agreement');
		expect(widest(large)).toBeGreaterThan(widest(normal));
		for (const line of large.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
		await app.press(keys.escape);
		await app.waitFor((text) => text.includes('Tiles by foreground') && text.includes('Agreement'), 'back with Esc');

		await app.press('v');
		const overlay = await app.waitFor((text) => text.includes(': overlay') && text.includes('#'), 'the overlay');
		expect(overlay).toMatch(/[-=+]#|#[-=+]/);
		await app.press(keys.enter);
		await app.waitFor((text) => text.includes(': overlay · v view'), 'the overlay enlarged');
		await app.press('v', 'v');
		const mask = await app.waitFor(
			(text) => text.includes(': mask · v view') && text.includes('#'),
			'the mask alone, enlarged',
		);
		for (const line of previewLines(mask)) expect(line).toMatch(/^[#.]*$/);
		await app.press(keys.enter);
		await app.waitFor((text) => text.includes('Tiles by foreground') && text.includes(': mask'), 'back with Enter');
		await app.press('v');
		await app.waitFor((text) => text.includes(': image | mask'), 'round to image and mask');

		await app.press('?');
		const help = await app.waitFor((text) => text.includes('Keys on Review'), 'the help');
		for (const expected of ['enlarge the preview', 'mask over image', 'tile map by foreground', 'Keys everywhere'])
			expect(help).toContain(expected);
		expect(help).toContain('? or Esc closes this help');
		expect(help.split('\n').at(-1)).toContain('Enter zoom');
	});

	it('keeps q from interrupting a write, saying why, and returns to the presets without a question', async () => {
		app = await renderApp({services: await servicesWith({stepMs: 0, writeStepMs: 400})});
		await app.press(keys.enter);
		await app.waitFor((text) => text.includes('Tiles by foreground (6)'), 'the review');
		await app.press('w');
		await app.waitFor((text) => /writing .* [1-5]\/6/.test(text), 'the write under way');
		await app.press('q');
		const during = await app.waitFor((text) => text.includes('wait until they are written'), 'why q waits');
		expect(during).not.toContain('Quit');
		const after = await app.waitFor((text) => text.includes('demo: wrote masks of 6 tiles'), 'written');
		expect(after).not.toContain('Quit');
		expect(after).toContain('Presets (');
		expect(app.outcome()).toBeUndefined();
	});

	it('shows what a write put where (run folder, tiles, files by folder) until a key returns to the presets', async () => {
		app = await renderApp({services: await servicesWith({stepMs: 0, maskFiles: true})});
		await app.press(keys.enter);
		await app.waitFor((text) => text.includes('Tiles by foreground (6)'), 'the review');
		await app.press('w');
		const written = await app.waitFor((text) => text.includes('Written · demo'), 'the summary');
		expect(written).toContain('demo: wrote masks of 6 tiles to');
		expect(written).toMatch(new RegExp(`run folder\\s+${runDir.replaceAll('.', '\\.')}`));
		expect(written).toMatch(/tiles\s+6/);
		expect(written).toMatch(/masks\/\s+6 files\s+r000_c000\.tif r000_c001\.tif/);
		expect(written).toContain('stats.json');
		expect(written).toContain('Any key returns to Presets');
		for (const line of written.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
		await app.press('x');
		const presets = await app.waitFor((text) => text.includes('Presets ('), 'the presets');
		expect(presets).toContain('demo: wrote masks of 6 tiles to');
		expect(app.outcome()).toBeUndefined();
	});

	it('quits from the write summary with q, without a question', async () => {
		app = await renderApp({services: await servicesWith({stepMs: 0})});
		await app.press(keys.enter);
		await app.waitFor((text) => text.includes('Tiles by foreground (6)'), 'the review');
		await app.press('w');
		await app.waitFor((text) => text.includes('Written · demo'), 'the summary');
		await app.press('q');
		const outcome = await until(() => app?.outcome(), 'the outcome');
		expect(outcome).toEqual({code: 0, summary: [`demo: wrote masks of 6 tiles to ${runDir}: stats.json`]});
	});

	it('asks before quitting the review in place of the hint bar, every pane whole at 80×24', async () => {
		app = await renderApp({services: await servicesWith({stepMs: 0})});
		await app.press(keys.enter);
		const before = await app.waitFor((text) => text.includes('Tiles by'), 'the review');
		await app.press('q');
		const asking = await app.waitFor((text) => text.includes('Quit without writing?'), 'the question');
		// The panes keep their first lines (a prompt row more squeezed each by one) and the screen its height.
		for (const line of ['threshold  0.50', 'tile        fg%', 'Probability histogram'])
			expect(asking, line).toContain(line);
		expect(asking.split('\n')).toHaveLength(before.split('\n').length);
		expect(asking).not.toContain('s sort');
		await app.press('n');
		await app.waitFor((text) => text.includes('s sort') && !text.includes('Quit without'), 'the hints again');
	});

	it('draws the preview with half blocks in colour, and discards after asking', async () => {
		app = await renderApp({services: await servicesWith({stepMs: 0}), color: true});
		await app.press(keys.enter);
		const frame = await app.waitFor(
			(text) => text.includes('image | mask') && text.includes('▀'),
			'a half-block preview',
		);
		expect(frame).not.toMatch(/\.{6}/);
		await app.press('d');
		await app.waitFor((text) => text.includes('Discard the results without writing?'), 'the question');
		await app.press('y');
		await app.waitFor((text) => text.includes('results of demo discarded'), 'discarded');
	});
});
