import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';

process.env.DEEPMASK_CONFIG_DIR = mkdtempSync(path.join(os.tmpdir(), 'deepmask-user-'));
const {loadPreset, saveAsUserPreset} = await import('../../source/config/presets.js');
const {deleteUserPreset, settingsPath} = await import('../../source/config/user-settings.js');
const {listPresets} = await import('../../source/app/preset-catalog.js');

describe('user presets', () => {
	it('are saved with conf, listed, shadow nothing else, and deleted', () => {
		const demo = loadPreset('demo');
		const raw = structuredClone(demo.raw);
		raw.cellSize = 1;
		const dsm = raw.layers!.dsm!;
		if (dsm.kind === 'file') throw new Error('the demo DSM is an ImageServer');
		dsm.token = {env: 'MY_TOKEN', value: 'secret-token-123'};
		const saved = saveAsUserPreset('my-town', raw, demo.preset);
		expect(saved.source).toBe('user');
		expect(saved.preset.cellSize).toBe(1);
		expect(saved.preset.models).toEqual(demo.preset.models);
		expect(listPresets().map((entry) => `${entry.source}:${entry.name}`)).toContain('user:my-town');

		const stored = readFileSync(settingsPath(), 'utf8');
		expect(stored).not.toContain('secret-token-123');
		expect(saved.preset.layers.dsm).toMatchObject({token: {env: 'MY_TOKEN'}});

		deleteUserPreset('my-town');
		expect(listPresets().map((entry) => entry.name)).not.toContain('my-town');
	});

	it('keep the paths of the preset they came from: file layers and the area are stored absolute', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-user-paths-'));
		const demo = JSON.parse(readFileSync(path.resolve('presets/demo.json'), 'utf8')) as Record<string, unknown>;
		const file = {
			...demo,
			models: [path.resolve('models/demo')],
			layers: {rgb: {kind: 'file', path: 'ortho.tif', pixelType: 'U8'}},
			area: 'area.geojson',
		};
		writeFileSync(path.join(dir, 'survey.json'), JSON.stringify(file));
		const loaded = loadPreset(path.join(dir, 'survey.json'));
		const saved = saveAsUserPreset('survey', loaded.raw, loaded.preset);
		expect(saved.preset.layers.rgb).toMatchObject({kind: 'file', path: path.join(dir, 'ortho.tif')});
		expect(saved.preset.area?.source).toBe(path.join(dir, 'area.geojson'));
		deleteUserPreset('survey');
	});

	it('refuses names that would read as paths', () => {
		const demo = loadPreset('demo');
		expect(() => saveAsUserPreset('../evil', demo.raw, demo.preset)).toThrow(/cannot be a preset name/);
	});
});
