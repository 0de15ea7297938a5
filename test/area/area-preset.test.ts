import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadPreset} from '../../source/config/presets.js';
import {repoRoot} from '../faults/helpers.js';

describe('a preset with an area', () => {
	it('needs no extent, resolves the area relative to the preset file, and --area replaces the extent', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-area-preset-'));
		const demo = JSON.parse(readFileSync(path.join(repoRoot, 'presets/demo.json'), 'utf8')) as Record<string, unknown>;
		delete demo.extent;
		const file = path.join(dir, 'olinda.json');
		writeFileSync(
			file,
			JSON.stringify({...demo, models: [path.join(repoRoot, 'models/demo')], area: 'areas/olinda.shp'}),
		);
		const loaded = loadPreset(file);
		expect(loaded.preset.extent).toBeUndefined();
		expect(loaded.preset.area).toEqual({source: path.join(dir, 'areas/olinda.shp'), clip: true});

		const flagged = loadPreset('demo', {area: 'here.geojson', areaWhere: "NAME = 'x'", areaClip: false});
		expect(flagged.preset.extent).toBeUndefined();
		expect(flagged.preset.area).toEqual({source: path.resolve('here.geojson'), where: "NAME = 'x'", clip: false});
		// With --extent as well, the extent stays and limits the area.
		expect(loadPreset('demo', {area: 'here.geojson', extent: '0,0,1,1'}).preset.extent).toMatchObject({xmax: 1});
	});

	it('is refused without an extent or an area, and --area-where without an area', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-area-preset-'));
		const demo = JSON.parse(readFileSync(path.join(repoRoot, 'presets/demo.json'), 'utf8')) as Record<string, unknown>;
		delete demo.extent;
		const file = path.join(dir, 'nowhere.json');
		writeFileSync(file, JSON.stringify(demo));
		expect(() => loadPreset(file)).toThrow(
			/extent: missing; expected object \(xmin, ymin, xmax, ymax\), or give an area instead \(--area PATH\|URL\)/,
		);
		expect(() => loadPreset('demo', {areaWhere: "NAME = 'x'"})).toThrow(
			/--area-where needs an area; give one with --area PATH\|URL/,
		);
	});
});
