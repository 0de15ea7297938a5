/**
 * Broken input for `deepmask infer` through the command line: corrupt and truncated images, a DSM of
 * another size, an empty input folder, an output folder that cannot be created. Each is exit 2 with a
 * message naming the file and the fix, and nothing half-written in the output folder.
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import {beforeAll, describe, expect, it} from 'vitest';
import {writeGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {runCli} from '../helpers/cli.js';
import {expectIntact, tempDir} from './helpers.js';

describe('deepmask infer with broken images', () => {
	const size = 64;
	let dir: string;
	let goodPng: Buffer;
	let goodTiff: Buffer;

	beforeAll(async () => {
		dir = tempDir('infer');
		const rgb = new Uint8Array(size * size * 3).map((_, i) => (i * 37) % 251);
		goodPng = await sharp(rgb, {raw: {width: size, height: size, channels: 3}})
			.png()
			.toBuffer();
		const tiffFile = path.join(dir, 'good.tif');
		await writeGeoTiffFile(tiffFile, {
			width: size,
			height: size,
			bands: 3,
			data: rgb,
			bbox: {xmin: 0, ymin: 0, xmax: size, ymax: size},
			epsg: 3857,
		});
		goodTiff = readFileSync(tiffFile);
	});

	/** A folder holding the good PNG and `files`; returns the folder. */
	function folderWith(name: string, files: Record<string, Uint8Array | string>): string {
		const folder = path.join(dir, name);
		mkdirSync(folder, {recursive: true});
		writeFileSync(path.join(folder, 'a-good.png'), goodPng);
		for (const [file, bytes] of Object.entries(files)) writeFileSync(path.join(folder, file), bytes);
		return folder;
	}

	async function infer(input: string, extra: string[] = [], models = 'test/fixtures/infer/tiny-fcn.onnx') {
		const out = path.join(dir, `out-${path.basename(input)}`);
		const result = await runCli([
			'infer',
			'--models',
			models,
			'--input',
			input,
			'--out',
			out,
			'--provider',
			'cpu',
			...extra,
		]);
		await expectIntact(out);
		return result;
	}

	it('names a corrupt PNG, a truncated PNG and a truncated TIFF', async () => {
		const cases: Array<[string, Uint8Array | string]> = [
			['corrupt.png', Buffer.concat([goodPng.subarray(0, 8), Buffer.alloc(400, 0x5a)])],
			['truncated.png', goodPng.subarray(0, Math.floor(goodPng.length / 2))],
			['truncated.tif', goodTiff.subarray(0, Math.floor(goodTiff.length / 2))],
		];
		for (const [file, bytes] of cases) {
			const result = await infer(folderWith(file.replace('.', '-'), {[file]: bytes}));
			expect(result.code, `${file}: ${result.stderr}`).toBe(2);
			expect(result.stderr).toMatch(
				new RegExp(`deepmask: \\S*${file.replace('.', '\\.')}: cannot decode the image .*Replace or remove the file`),
			);
		}
	});

	it('names an image whose DSM has another size, and an empty input folder', async () => {
		const input = folderWith('sized', {});
		const dsm = path.join(dir, 'sized-dsm');
		mkdirSync(dsm);
		await writeGeoTiffFile(path.join(dsm, 'a-good.tif'), {
			width: 10,
			height: 12,
			bands: 1,
			data: new Float32Array(120),
			bbox: {xmin: 0, ymin: 0, xmax: 10, ymax: 12},
			epsg: 3857,
		});
		const mismatched = await infer(input, ['--dsm', dsm], 'models/demo/unet-rgbd-wide.onnx');
		expect(mismatched.code).toBe(2);
		expect(mismatched.stderr).toMatch(
			/a-good\.png: the image is 64×64 but its DSM is 10×12\. Give a DSM of the same size\./,
		);

		const empty = path.join(dir, 'empty');
		mkdirSync(empty);
		const none = await infer(empty);
		expect(none.code).toBe(2);
		expect(none.stderr).toContain(`deepmask: ${empty}: the input folder holds no PNG, JPEG or TIFF images.`);
	});

	it('names an output folder it cannot create, before loading the models', async () => {
		const file = path.join(dir, 'masks.txt');
		writeFileSync(file, 'a file, not a folder');
		const result = await runCli([
			'infer',
			'--models',
			'test/fixtures/infer/tiny-fcn.onnx',
			'--input',
			folderWith('fine', {}),
			'--out',
			path.join(file, 'out'),
			'--provider',
			'cpu',
		]);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(
			`deepmask: cannot write the output folder ${path.join(file, 'out')}: ${file} is a file, not a folder; choose another --out`,
		);
		expect(result.stderr).not.toMatch(/^model /m);
	});
});
