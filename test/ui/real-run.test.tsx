/**
 * The key flow on the real engine: the demo preset on a tiny extent, served in-process by the
 * embedded demo service, through the dashboard to the review, a threshold change, and writing.
 */
import {existsSync, mkdtempSync, readdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {packageRoot} from '../../source/package-info.js';
import type {AppServices} from '../../source/ui/app.js';
import {isolateSettings, keys, realServices, renderApp, until, type AppUnderTest} from './harness.js';

let services: AppServices;
let app: AppUnderTest | undefined;
let runDir: string;

/** The shipped demo models when they are there; else the small fixture model of the inference tests. */
function models(): string[] {
	const demo = path.join(packageRoot, 'models/demo');
	const shipped = existsSync(demo) && readdirSync(demo).some((name) => name.endsWith('.onnx'));
	return [shipped ? demo : path.join(packageRoot, 'test/fixtures/infer/tiny-fcn.onnx')];
}

/** A whole run of the demo models: seconds on an idle machine, much more on a busy CI host. */
const realRunMs = 90_000;

beforeAll(async () => {
	isolateSettings();
	const [{startRun}, {loadPreset, saveAsUserPreset}] = await Promise.all([
		import('../../source/app/start-run.js'),
		import('../../source/config/presets.js'),
	]);
	runDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-ui-real-'));
	// A 2 × 2 grid of 128-px tiles of the demo town, written to a temporary folder.
	const demo = loadPreset('demo', {
		extent: '1000100,6000100,1000220,6000220',
		set: ['tileSize=128', 'inference.batchSize=2'],
	});
	saveAsUserPreset('tiny-demo', {...demo.raw, output: {dir: runDir}}, {...demo.preset, models: models()});
	services = await realServices(startRun);
});

afterEach(() => {
	app?.unmount();
	app = undefined;
});

describe('the demo on the real engine', () => {
	it(
		'runs, reviews, changes the threshold and writes the masks',
		async () => {
			app = await renderApp({services, initialPreset: 'tiny-demo'});
			await app.waitFor((text) => /›u\s*tiny-demo/.test(text) && text.includes('2 × 2 = 4 tiles'), 'the tiny preset');
			await app.press(keys.enter);
			await app.waitFor((text) => text.includes('Run · tiny-demo') && text.includes('Downloads'), 'the dashboard');
			const review = await app.waitFor(
				(text) => text.includes('Review · tiny-demo') && text.includes('Tiles by foreground (4)'),
				'the review',
				realRunMs,
			);
			expect(review).toMatch(/threshold\s+0\.\d\d/);
			const threshold = Number(/threshold\s+(0\.\d\d)/.exec(review)![1]);
			await app.press('+');
			await app.waitFor(
				(text) => new RegExp(`threshold\\s+${(threshold + 0.05).toFixed(2)}`).test(text) && !text.includes(' …'),
				'the new threshold',
			);
			await app.waitFor((text) => text.includes('image | mask') && /[#.]{4}/.test(text), 'the preview');
			await app.press('w');
			await app.waitFor((text) => text.includes('tiny-demo: wrote masks of 4 tiles to'), 'written', realRunMs);
			for (const tile of ['r000_c000', 'r001_c001'])
				expect(existsSync(path.join(runDir, 'masks', `${tile}.tif`))).toBe(true);
			expect(existsSync(path.join(runDir, 'stats.json'))).toBe(true);
			await app.press('q');
			const outcome = await until(() => app?.outcome(), 'the outcome');
			expect(outcome.code).toBe(0);
			expect(outcome.summary[0]).toContain(`tiny-demo: wrote masks of 4 tiles to ${runDir}: `);
			expect(outcome.summary[0]).toContain('masks/ (4)');
			// The next start opens on this preset.
			const {lastPresetName} = await import('../../source/config/user-settings.js');
			expect(lastPresetName()).toBe('tiny-demo');
		},
		3 * realRunMs,
	);
});
