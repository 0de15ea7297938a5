import {copyFile, mkdtemp, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/infer');
export const repoRoot = path.resolve(fixtures, '../../..');
export const tinyModel = path.join(fixtures, 'tiny-fcn.onnx');

export async function tempDir(): Promise<string> {
	return mkdtemp(path.join(os.tmpdir(), 'deepmask-infer-'));
}

/** A copy of the tiny model in `dir` as `<name>.onnx`, with `<name>.json` holding `sidecar` when given. */
export async function tinyCopy(dir: string, name: string, sidecar?: Record<string, unknown>): Promise<string> {
	const file = path.join(dir, `${name}.onnx`);
	await copyFile(tinyModel, file);
	if (sidecar) await writeFile(path.join(dir, `${name}.json`), JSON.stringify(sidecar));
	return file;
}

export type FixtureImage = {
	name: string;
	width: number;
	height: number;
	rgb: Uint8Array;
	dsm: Float32Array;
	reference?: Float32Array;
};

export async function fixtureImages(): Promise<{model?: string; images: FixtureImage[]}> {
	const folder = path.join(fixtures, 'resize');
	const index = JSON.parse(await readFile(path.join(folder, 'index.json'), 'utf8')) as {
		model?: string;
		images: Array<{name: string; width: number; height: number}>;
	};
	const images = await Promise.all(
		index.images.map(async ({name, width, height}) => {
			const rgb = new Uint8Array(await readFile(path.join(folder, `${name}.rgb.u8`)));
			const dsm = new Float32Array(new Uint8Array(await readFile(path.join(folder, `${name}.dsm.f32`))).buffer);
			const reference = index.model
				? new Float32Array(new Uint8Array(await readFile(path.join(folder, `${name}.prob.f32`))).buffer)
				: undefined;
			return {name, width, height, rgb, dsm, reference};
		}),
	);
	return {model: index.model && path.join(repoRoot, index.model), images};
}
