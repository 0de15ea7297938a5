/**
 * Careless and hostile input to `deepmask infer` (issue 17): an output folder over its own input, a
 * symbolic link standing in for one. Each is exit 2 with a message naming the problem and the fix, and
 * the inputs are left as they were.
 */
import {mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import {beforeAll, describe, expect, it} from 'vitest';
import {inferFolder} from '../../source/app/infer-folder.js';
import {UserError} from '../../source/errors.js';
import {runCli} from '../helpers/cli.js';
import {expectIntact, tempDir} from './helpers.js';
import {pngDeclaring} from './hostile-server.js';

const model = 'test/fixtures/infer/tiny-fcn.onnx';

describe('deepmask infer with hostile folders', () => {
	let dir: string;
	let png: Buffer;

	beforeAll(async () => {
		dir = tempDir('hostile-infer');
		png = await sharp(new Uint8Array(32 * 32 * 3).fill(90), {raw: {width: 32, height: 32, channels: 3}})
			.png()
			.toBuffer();
	});

	/** X/masks holding one image, as a previous `infer --out X` left it. */
	function previousOutput(name: string): {x: string; masks: string} {
		const x = path.join(dir, name);
		const masks = path.join(x, 'masks');
		mkdirSync(masks, {recursive: true});
		writeFileSync(path.join(masks, 'a.png'), png);
		return {x, masks};
	}

	it('refuses --input X/masks --out X (it would overwrite its inputs with masks), exit 2', async () => {
		const {x, masks} = previousOutput('own-masks');
		const result = await runCli(['infer', '--models', model, '--input', masks, '--out', x, '--provider', 'cpu']);
		expect(result.code, result.stderr).toBe(2);
		expect(result.stderr).toContain(`deepmask: --out ${x} would write over --input ${masks}`);
		expect(result.stderr).toContain('choose an output folder outside the inputs');
		expect(readdirSync(masks)).toEqual(['a.png']);
		expect(readFileSync(path.join(masks, 'a.png'))).toEqual(png);
	});

	it('refuses an output that is, or is inside, an input or the DSM folder, also through a link', async () => {
		const {x, masks} = previousOutput('variants');
		const link = path.join(dir, 'link-to-x');
		symlinkSync(x, link);
		const cases: Array<{input: string; out: string; dsm?: string}> = [
			{input: masks, out: masks},
			{input: masks, out: path.join(masks, 'inner')},
			{input: masks, out: link},
			{input: path.join(dir, 'elsewhere'), dsm: masks, out: x},
		];
		mkdirSync(path.join(dir, 'elsewhere'), {recursive: true});
		writeFileSync(path.join(dir, 'elsewhere', 'a.png'), png);
		for (const options of cases) {
			const error = await inferFolder({models: [model], provider: 'cpu', ...options}).then(
				() => new Error('expected a refusal'),
				(caught: unknown) => caught as Error,
			);
			expect(error, JSON.stringify(options)).toBeInstanceOf(UserError);
			expect(error.message).toMatch(/would write over --(input|dsm)/);
		}
		expect(readdirSync(masks)).toEqual(['a.png']);
	});

	it('names a 16000² PNG of a few hundred KB before decoding it, a folder named x.png and a looping link', async () => {
		const cases: Array<[string, (folder: string) => void, RegExp]> = [
			[
				'huge.png',
				(folder) => writeFileSync(path.join(folder, 'huge.png'), pngDeclaring(16000)),
				/huge\.png: the image declares 16000×16000 pixels, more than deepmask decodes at once .*cut it into tiles first/,
			],
			[
				'x.png',
				(folder) => mkdirSync(path.join(folder, 'x.png')),
				/x\.png: cannot read the image: it is a folder, not an image/,
			],
			[
				'loop.png',
				(folder) => symlinkSync(path.join(folder, 'loop.png'), path.join(folder, 'loop.png')),
				/loop\.png: cannot read the image: it is a symbolic link that leads back to itself/,
			],
		];
		for (const [name, make, message] of cases) {
			const input = path.join(dir, `input-${name}`);
			mkdirSync(input);
			writeFileSync(path.join(input, 'a.png'), png);
			make(input);
			const out = path.join(dir, `out-${name}`);
			const result = await runCli(['infer', '--models', model, '--input', input, '--out', out, '--provider', 'cpu']);
			expect(result.code, `${name}: ${result.stderr}`).toBe(2);
			expect(result.stderr).toMatch(message);
			await expectIntact(out);
		}
	});
});
