/**
 * Broken presets through the command line: the corpus of test/faults/presets/, and NaN and Infinity,
 * which JSON cannot hold, so they come through --extent and --set. Each is exit 2 with a message naming
 * the file or field, the problem and the fix.
 */
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {listFiles} from '../helpers/run-folder.js';
import {expectIntact, repoRoot, tempDir, tinyExtent} from './helpers.js';

const corpus = path.join(repoRoot, 'test/faults/presets');

type PresetCase = {file: string; expected: RegExp[]; command?: 'plan' | 'run'; args?: string[]};

/** Every file of the corpus, with a fragment of the message it must produce. */
const presetCases: PresetCase[] = [
	{file: 'wrong-types.json', expected: [/cellSize: got "0\.5", expected number/, /tileSize: got 256\.5, expected int/]},
	{
		file: 'unknown-keys.json',
		expected: [/\(top level\): unknown field "tileSzie"; remove or correct it/, /layers\.rgb: unknown field "tokn"/],
	},
	{file: 'inverted-extent.json', expected: [/inverted.*swap them/]},
	{
		file: 'empty-extent.json',
		expected: [/is empty \(zero width or height\); give xmin,ymin,xmax,ymax with xmin < xmax/],
	},
	{file: 'empty-file.json', expected: [/empty-file\.json is empty; write the preset's JSON in it/]},
	{
		file: 'empty-object.json',
		expected: [
			/extent: missing; expected object/,
			/cellSize: missing; expected number/,
			/models: missing; expected array/,
		],
	},
	// --extent on top of a preset that is not an object used to crash (exit 1).
	{file: 'null.json', args: ['--extent', tinyExtent], expected: [/\(top level\): got null, expected object/]},
	{
		file: 'enormous-extent.json',
		expected: [/the extent needs about [\d,]+ tiles of 512 px .*more than maxTiles \(10000\); shrink the extent/],
	},
	{file: 'infinite-extent.json', expected: [/more than maxTiles \(10000\); shrink the extent/]},
	{
		file: 'nan-literal.json',
		expected: [/nan-literal\.json is not valid JSON: Unexpected token 'N', \.\.\."ellSize": NaN, .*; fix the file/],
	},
	{
		file: 'url-not-http.json',
		expected: [/layers\.rgb\.url: got "ftp:\/\/example\.com\/.*, an http:\/\/ or https:\/\/ URL/],
	},
	{
		file: 'url-feature-server.json',
		expected: [
			/layers\.dsm\.url: got "http:\/\/127\.0\.0\.1:7070\/.*, a service URL ending in \/ImageServer or \/MapServer/,
		],
	},
	{file: 'models-empty.json', expected: [/models: got \[\], Too small: expected array to have >=1 items/]},
	// Used to pass validation and fail only at the service.
	{
		file: 'kind-mismatch.json',
		expected: [/layers\.rgb\.kind: got "ImageServer", but the url ends in \/MapServer; make kind and the url agree/],
	},
	{
		file: 'kind-unknown.json',
		expected: [/layers\.rgb\.kind: got "WMS", expected one of 'ImageServer' \| 'MapServer'/],
	},
	{
		file: 'vrt-without-masks.json',
		expected: [
			/output\.formats: got \["vrt","stats"\], but vrt is made from the mask tiles; add "masks" to output\.formats or remove "vrt"/,
		],
	},
	// The next ones are valid presets whose problem shows when the run opens the models.
	{
		file: 'models-missing.json',
		command: 'run',
		expected: [
			/no-such-models: no such model file or folder\. Check the path in --models \(or the preset's "models"\)/,
		],
	},
	{
		file: 'models-not-onnx.json',
		command: 'run',
		expected: [/not-onnx\/model\.onnx: not an ONNX model .*Pass \.onnx files exported with torch\.onnx\.export/],
	},
	{
		file: 'models-no-onnx-in-folder.json',
		command: 'run',
		expected: [/no-models-here: the folder holds no \.onnx models/],
	},
];

describe('a corpus of broken presets', () => {
	it('has a case for every file in test/faults/presets', () => {
		const files = listFiles(corpus).filter((file) => file.endsWith('.json'));
		expect(files.sort()).toEqual(presetCases.map((entry) => entry.file).sort());
	});

	for (const {file, expected, command = 'plan', args = []} of presetCases) {
		it(`${file}: deepmask ${command} exits 2 naming the problem`, async () => {
			const out = tempDir('bad-preset');
			const runArgs = command === 'run' ? ['--extent', tinyExtent, '--set', 'tileSize=128', '--out', out, '--yes'] : [];
			const result = await runCli([command, '--preset', path.join(corpus, file), ...args, ...runArgs]);
			expect(result.code, result.stderr).toBe(2);
			const message = result.stderr.slice(result.stderr.indexOf('deepmask: '));
			// Schema and JSON errors name the file; the plan's own errors (extent) and the models' name what is wrong in it.
			if (command === 'plan' && !/extent/.test(file)) expect(message).toContain(path.join(corpus, file));
			for (const fragment of expected) expect(message).toMatch(fragment);
			expect(message).not.toMatch(/\n\s+at /);
			await expectIntact(out);
		});
	}

	it('NaN and Infinity, which JSON cannot hold, are refused from --extent and --set', async () => {
		const cases: Array<[string[], RegExp]> = [
			[['--extent', 'nan,0,1,1'], /--extent "nan,0,1,1" is not four numbers; write it as xmin,ymin,xmax,ymax/],
			[['--set', 'cellSize=NaN'], /cellSize: got "NaN", expected number/],
			[['--set', 'extent.xmax=1e999'], /extent\.xmax: got Infinity, expected a finite number/],
		];
		for (const [args, fragment] of cases) {
			const result = await runCli(['plan', '--preset', 'demo', ...args]);
			expect(result.code, args.join(' ')).toBe(2);
			expect(result.stderr).toMatch(fragment);
		}
	});
});
