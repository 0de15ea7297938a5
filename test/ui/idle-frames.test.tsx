import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {isolateSettings, keys, renderApp, type AppUnderTest} from './harness.js';
import {scriptedServices, type ScriptOptions} from './scripted-run.js';

/**
 * Every frame is a whole screen for Ink, the colour preview included: a screen on which nothing moves
 * must not draw one. ink-testing-library records every render, also one whose output did not change.
 */

let app: AppUnderTest | undefined;

beforeAll(() => {
	isolateSettings();
});

afterEach(() => {
	app?.unmount();
	app = undefined;
});

const servicesWith = async (options: Omit<ScriptOptions, 'runDir'>) => (await scriptedServices(options)).services;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Frames drawn over a few seconds of the app waiting: longer than the clock's second twice over. */
async function framesWhileIdle(under: AppUnderTest): Promise<number> {
	// Whatever was still on its way (the snapshot's first redraw, a preview) lands first.
	await pause(500);
	const before = under.frames.length;
	await pause(2500);
	return under.frames.length - before;
}

describe('idle screens draw no frames', () => {
	it('the review, with its colour preview at 200×50, until a key changes something', async () => {
		app = await renderApp({services: await servicesWith({stepMs: 0}), size: {columns: 200, rows: 50}, color: true});
		await app.press(keys.enter);
		await app.waitFor((text) => text.includes('image | mask') && text.includes('▀'), 'the review with its preview');
		expect(await framesWhileIdle(app)).toBe(0);

		const before = app.frames.length;
		await app.press('+');
		await app.waitFor((text) => /threshold +0\.55 +│/.test(text), 'the new threshold');
		expect(app.frames.length).toBeGreaterThan(before);
	});

	it("an ended run's dashboard", async () => {
		app = await renderApp({services: await servicesWith({stepMs: 0, failAfter: 20})});
		await app.press(keys.enter);
		await app.waitFor((text) => text.includes('Esc back'), 'the failed run');
		expect(await framesWhileIdle(app)).toBe(0);
	});

	it("a live run's dashboard still moves its clock", async () => {
		// A run stalled mid-download: no events, only the clock.
		app = await renderApp({services: await servicesWith({stepMs: 60_000})});
		await app.press(keys.enter);
		await app.waitFor((text) => text.includes('Downloads'), 'the dashboard');
		expect(await framesWhileIdle(app)).toBeGreaterThan(0);
	});
});
