/** The Extent screen takes a layer as the area: it reads it and maps the tiles the area keeps and those it skips. */
import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {AppServices} from '../../source/ui/app.js';
import {isolateSettings, keys, realServices, renderApp, type AppUnderTest} from './harness.js';
import {scriptedRun} from './scripted-run.js';

let services: AppServices;
let app: AppUnderTest | undefined;
const work = mkdtempSync(path.join(os.tmpdir(), 'deepmask-extent-area-'));

beforeAll(async () => {
	isolateSettings();
	services = await realServices(({preset}) => scriptedRun(preset, {runDir: os.tmpdir(), stepMs: 1000}));
});

afterEach(() => {
	app?.unmount();
	app = undefined;
});

describe('extent screen with an area', () => {
	it('reads the layer typed as the area and maps the tiles it keeps and skips', async () => {
		// An L 100 m wide along the left and the bottom of the demo extent: 4 of its 3 × 2 tiles of 256 m.
		const file = path.join(work, 'l.geojson');
		const [x, y] = [1000000, 6000000];
		const ring = [
			[x, y],
			[x + 700, y],
			[x + 700, y + 100],
			[x + 100, y + 100],
			[x + 100, y + 450],
			[x, y + 450],
			[x, y],
		];
		writeFileSync(
			file,
			JSON.stringify({
				type: 'FeatureCollection',
				crs: {type: 'name', properties: {name: 'urn:ogc:def:crs:EPSG::3857'}},
				features: [{type: 'Feature', properties: {NAME: 'L'}, geometry: {type: 'Polygon', coordinates: [ring]}}],
			}),
		);
		app = await renderApp({services});
		await app.press('e');
		await app.waitFor((text) => text.includes('Plan preview'), 'the extent screen');
		// The area is the last field: up from the first.
		await app.press('k', keys.enter);
		await app.type(file);
		await app.press(keys.enter);
		const frame = await app.waitFor((text) => text.includes('skipped'), 'the plan of the area');
		expect(frame).toMatch(/grid\s+2 × 3 = 4 tiles, 2 skipped/);
		expect(frame).toMatch(/saved/);
		expect(frame).toContain('·');
		expect(frame).toMatch(/›area\s+\//);
		for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
	});
});
