/**
 * The review of a multi-class run: one threshold for all classes or (t) one per class, moved for the shown class
 * (c), the hint line saying which; what the members mix the shown class up with; the seam figure beside the mode.
 */
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {classConfigOf} from '../../source/engine/classes/class-config.js';
import type {Threshold} from '../../source/engine/classes/threshold.js';
import {makePlan} from '../../source/engine/geo/plan.js';
import {mergeStats} from '../../source/engine/masks/run-stats.js';
import type {StatsDocument} from '../../source/engine/masks/stats-types.js';
import {summariseTile} from '../../source/engine/masks/tile-stats.js';
import type {ReviewSession} from '../../source/ui/engine-api.js';
import {isolateSettings, realServices, renderApp, keys, type AppUnderTest} from './harness.js';
import {scriptedRun} from './scripted-run.js';

const classes = classConfigOf({'0': 'background', '1': 'building', '2': 'tree'});
const SIDE = 8;
const postprocess = {minArea: 0, fillHoles: 0};

/** Planes of a tile: background, building and tree from left to right, stronger to the right; member 1 calls two building pixels tree. */
function planes(member: number): Uint8Array {
	const out = new Uint8Array(3 * SIDE * SIDE).fill(20);
	for (let y = 0; y < SIDE; y++) {
		for (let x = 0; x < SIDE; x++) {
			const i = y * SIDE + x;
			const id = x < 2 ? 0 : x < 5 + (member === 1 && y < 2 ? -1 : 0) ? 1 : 2;
			out[id * SIDE * SIDE + i] = 100 + 20 * x;
		}
	}
	return out;
}

let app: AppUnderTest | undefined;
const thresholds: Threshold[] = [];

beforeAll(() => {
	isolateSettings();
});

afterEach(() => {
	app?.unmount();
	app = undefined;
});

async function services() {
	const runDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-ui-classes-'));
	return realServices(({preset}) => {
		const run = scriptedRun(preset, {stepMs: 0, runDir});
		const plan = makePlan(preset.preset);
		const models = ['alpha', 'beta'];
		const summaries = (threshold: Threshold): StatsDocument => {
			const tiles = plan.tiles.map(
				(tile) =>
					summariseTile({
						tile,
						probability: planes(0),
						members: [planes(0), planes(1)],
						models,
						width: SIDE,
						height: SIDE,
						threshold,
						postprocess,
						classes,
					}).stats,
			);
			return {overall: mergeStats(tiles, {plan, threshold, models, postprocess}), tiles};
		};
		let current = summaries(0.5);
		const session: ReviewSession = {
			stats: () => current,
			areaUnit: 'm²',
			mode: 'resize',
			thresholdClasses: ['background', 'building', 'tree'],
			setThreshold: async (threshold) => {
				thresholds.push(threshold);
				current = summaries(threshold);
				return current;
			},
			preview: async (_, width, height) => ({
				rgb: new Uint8Array(width * height * 3),
				mask: new Uint8Array(width * height),
			}),
			write: async () => ({runDir, files: [], tiles: plan.tiles.length}),
			discard: async () => undefined,
		};
		return {...run, review: run.review.then(() => session)};
	});
}

const hint = (text: string) => text.trimEnd().split('\n').at(-1)!;

describe('review of a multi-class run', () => {
	it('moves one threshold for all classes, or per class the shown one, and says which', async () => {
		app = await renderApp({services: await services()});
		await app.press(keys.enter);
		const first = await app.waitFor(
			(text) => text.includes('Tiles by foreground') && hint(text).includes('+ - all classes'),
			'the review and its hints',
			30_000,
		);
		expect(first).toMatch(/threshold\s+0\.50\s+\(all classes\)/);
		expect(first).toMatch(/resize · seams \d+\.\d% disagree/);
		for (const line of first.split('\n')) expect(line.length).toBeLessThanOrEqual(80);

		await app.press('c');
		const building = await app.waitFor((text) => text.includes('Agreement (IoU, building)'), 'the building figures');
		// Member beta calls 2 of alpha's 24 building pixels per tile tree (and none of its own anything else).
		expect(building).toContain('mixed up most with tree (8.3%)');

		await app.press('t');
		await app.waitFor(
			(text) => /building threshold\s+0\.50\s+│/.test(text) && hint(text).includes('+ - per class'),
			'per class',
		);
		await app.press('+');
		await app.waitFor((text) => /building threshold\s+0\.55\s+│/.test(text), 'building up');
		expect(thresholds.at(-1)).toEqual({background: 0.5, building: 0.55, tree: 0.5});

		await app.press('c');
		await app.waitFor((text) => /tree threshold\s+0\.50\s+│/.test(text), 'the tree threshold unmoved');
		await app.press('-');
		await app.waitFor((text) => /tree threshold\s+0\.45\s+│/.test(text), 'tree down');
		expect(thresholds.at(-1)).toEqual({background: 0.5, building: 0.55, tree: 0.45});

		// Every class shown: each class moves.
		await app.press('c');
		await app.waitFor((text) => /threshold\s+0\.45–0\.55\s+\(per class\)/.test(text), 'the range');
		await app.press('+');
		await app.waitFor((text) => /threshold\s+0\.50–0\.60\s+\(per class\)/.test(text), 'all up');
		expect(thresholds.at(-1)).toEqual({background: 0.55, building: 0.6, tree: 0.5});

		// Back to one threshold: the highest of the classes' when none is shown.
		await app.press('t');
		const global = await app.waitFor(
			(text) => /threshold\s+0\.60\s+\(all classes\)/.test(text) && hint(text).includes('+ - all classes'),
			'one for all again',
		);
		expect(thresholds.at(-1)).toBe(0.6);
		for (const line of global.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
	});
});
