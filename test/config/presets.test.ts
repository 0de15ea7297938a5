import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {loadPreset} from '../../source/config/presets.js';
import {UserError} from '../../source/errors.js';
import {runCli} from '../helpers/cli.js';

const demo = JSON.parse(JSON.stringify(loadPreset('demo').raw)) as Record<string, unknown>;

function writePreset(dir: string, name: string, data: unknown): string {
	const file = path.join(dir, `${name}.json`);
	writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
	return file;
}

function loadError(reference: string, overrides = {}): string {
	try {
		loadPreset(reference, overrides);
	} catch (error) {
		expect(error).toBeInstanceOf(UserError);
		return (error as Error).message;
	}
	throw new Error('expected the preset to be refused');
}

describe('preset validation', () => {
	let dir: string;
	beforeAll(() => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-presets-'));
	});

	it('names the file, the field path, the bad value and what is allowed', () => {
		const file = writePreset(dir, 'bad-types', {...demo, cellSize: 'half a metre', snap: {mode: 'centre'}});
		const message = loadError(file);
		expect(message).toContain(file);
		expect(message).toMatch(/cellSize: got "half a metre", expected number/);
		expect(message).toMatch(/snap\.mode: got "centre".*"symmetric"\|"anchor"/);
	});

	it('takes a threshold as one number or per class name, and says which forms it takes', () => {
		const perClass = {threshold: {building: 0.6, tree: 0.4}, classes: {belowThreshold: 'uncertain'}};
		expect(loadPreset(writePreset(dir, 'per-class', {...demo, ...perClass})).preset).toMatchObject(perClass);
		expect(loadError(writePreset(dir, 'word', {...demo, threshold: 'high'}))).toMatch(
			/threshold: got "high", expected a number between 0 and 1, or one per class name/,
		);
		expect(loadError(writePreset(dir, 'over', {...demo, threshold: {building: 1.5}}))).toMatch(
			/threshold\.building: got 1\.5, Too big/,
		);
		expect(loadError(writePreset(dir, 'below', {...demo, classes: {belowThreshold: 'nodata'}}))).toMatch(
			/classes\.belowThreshold: got "nodata".*"background"\|"uncertain"/,
		);
	});

	it('reports unknown keys and missing fields', () => {
		const {models: _models, ...withoutModels} = demo;
		const message = loadError(writePreset(dir, 'unknown', {...withoutModels, tileSzie: 512}));
		expect(message).toMatch(/unknown field "tileSzie"/);
		expect(message).toMatch(/models: missing; expected array/);
	});

	it('refuses a bad service URL', () => {
		const layers = demo.layers as Record<string, Record<string, unknown>>;
		const message = loadError(
			writePreset(dir, 'url', {...demo, layers: {...layers, rgb: {...layers.rgb, url: 'http://example.com/wms'}}}),
		);
		expect(message).toMatch(/layers\.rgb\.url: got "http:\/\/example.com\/wms".*ImageServer or \/MapServer/);
	});

	it('says when a file is not JSON or does not exist', () => {
		expect(loadError(writePreset(dir, 'not-json', '{"extent": '))).toMatch(/not valid JSON/);
		expect(loadError(path.join(dir, 'missing.json'))).toMatch(/cannot read preset file .*missing\.json \(ENOENT\)/);
		expect(loadError('no-such-preset')).toMatch(/no preset named "no-such-preset"; known presets: .*demo/);
	});

	it('applies --extent and --set before validating', () => {
		const loaded = loadPreset('demo', {
			extent: '0,0,100,100',
			set: [
				'cellSize=0.25',
				'layers.rgb.url=http://127.0.0.1:9/arcgis/rest/services/X/MapServer',
				'snap.alignToGrid=true',
			],
		});
		expect(loaded.preset.extent).toMatchObject({xmin: 0, ymin: 0, xmax: 100, ymax: 100, crs: 'EPSG:3857'});
		expect(loaded.preset.cellSize).toBe(0.25);
		expect(loaded.preset.snap.alignToGrid).toBe(true);
		expect(loaded.preset.layers.rgb).toMatchObject({url: 'http://127.0.0.1:9/arcgis/rest/services/X/MapServer'});
		expect(loadError('demo', {set: ['cellSize=-1']})).toMatch(
			/with the --extent\/--set overrides[\s\S]*cellSize: got -1/,
		);
		expect(loadError('demo', {extent: '1,2,3'})).toMatch(/not four numbers/);
		expect(loadError('demo', {set: ['cellSize']})).toMatch(/no "="/);
		expect(loadError('demo', {set: ['cellSize.x=1']})).toMatch(/"cellSize" holds a value/);
	});

	it('resolves model paths against the preset file', () => {
		const file = writePreset(dir, 'relative', {...demo, models: ['my-models/a.onnx']});
		expect(loadPreset(file).preset.models).toEqual([path.join(dir, 'my-models/a.onnx')]);
	});
});

describe('deepmask plan and presets on the command line', () => {
	let configDir: string;
	let dir: string;
	beforeAll(() => {
		configDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-config-'));
		dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-cli-'));
	});
	afterAll(() => undefined);

	it('prints the demo plan as JSON', async () => {
		const result = await runCli(['plan', '--preset', 'demo', '--json'], {env: {DEEPMASK_CONFIG_DIR: configDir}});
		expect(result.code).toBe(0);
		const plan = JSON.parse(result.stdout) as {rows: number; cols: number; tiles: unknown[]};
		expect(plan.tiles).toHaveLength(plan.rows * plan.cols);
	});

	it('exits 2 with an actionable message on a broken preset', async () => {
		const file = writePreset(dir, 'broken', {...demo, extent: {xmin: 10, ymin: 0, xmax: 0, ymax: 10}});
		const result = await runCli(['plan', '--preset', file], {env: {DEEPMASK_CONFIG_DIR: configDir}});
		expect(result.code).toBe(2);
		expect(result.stderr).toMatch(/inverted.*swap them/);
		expect(result.stdout).toBe('');
	});

	it('lists shipped presets', async () => {
		const result = await runCli(['presets', '--json'], {env: {DEEPMASK_CONFIG_DIR: configDir}});
		expect(result.code).toBe(0);
		const names = (JSON.parse(result.stdout) as Array<{name: string; source: string}>).map(
			(entry) => `${entry.source}:${entry.name}`,
		);
		expect(names).toEqual(expect.arrayContaining(['shipped:demo', 'shipped:world-imagery-3dep']));
	});
});
