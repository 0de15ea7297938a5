/** What each layer of a preset will read (doctor --preset, the preset view): asked of the sources as a run opens them. */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadPreset} from '../../source/config/presets.js';
import {describePresetLayers} from '../../source/app/preset-layers.js';
import {layerSummary} from '../../source/engine/sources/layer-summary.js';
import {runCli} from '../helpers/cli.js';

describe('describing the layers of a preset', () => {
	it('names kind, CRS, resolution and what is read, for the demo', async () => {
		const [rgb, dsm] = await describePresetLayers(loadPreset('demo').preset);
		expect(rgb).toMatchObject({role: 'rgb', warnings: []});
		expect(layerSummary(rgb.description!)).toBe('MapServer · EPSG:3857 · export, resampled by the server');
		expect(layerSummary(dsm.description!)).toBe(
			'ImageServer · EPSG:3857 · 0.5 m per px · exportImage, resampled by the server',
		);
	});

	it('names the cache level a tile layer reads', async () => {
		const [rgb] = await describePresetLayers(loadPreset('demo-tiles').preset);
		expect(layerSummary(rgb.description!)).toMatch(
			/^tiles · EPSG:3857 · [\d.]+ m per px · level 10 \(0\.5 m\) of the ArcGIS tile cache, 256×256 px tiles, bilinear/,
		);
	});

	it('reports a layer that cannot be opened, and doctor --preset exits 2 for it', async () => {
		const demo = JSON.parse(readFileSync('presets/demo.json', 'utf8')) as {layers: {dsm: {url: string}}};
		demo.layers.dsm.url = demo.layers.dsm.url.replace('/DSM/', '/Nothing/');
		const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'deepmask-layers-')), 'broken.json');
		writeFileSync(file, JSON.stringify({...demo, models: [path.resolve('models/demo')]}));
		const result = await runCli(['doctor', '--preset', file]);
		expect(result.code).toBe(2);
		expect(result.stdout).toMatch(/^ok {3}rgb: MapServer · EPSG:3857/m);
		expect(result.stdout).toMatch(/^no {3}dsm: .*Nothing/m);
		expect(result.stderr).toMatch(/the preset's dsm layer cannot be opened/);
	});
});
