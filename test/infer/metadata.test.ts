import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {UserError} from '../../source/errors.js';
import {openEnsemble} from '../../source/engine/infer/ensemble.js';
import {decodeValue, loadModelSpec, specFromMetadata} from '../../source/engine/infer/metadata.js';
import {classConfigOf} from '../../source/engine/classes/class-config.js';
import {readMetadataProps} from '../../source/engine/infer/onnx-proto.js';
import {tempDir, tinyCopy, tinyModel} from './helpers.js';

describe('model metadata', () => {
	it('reads metadata_props from a real ONNX file', async () => {
		const props = await readMetadataProps(tinyModel);
		expect(JSON.parse(props.model_type)).toBe('Segmentor');
		const spec = await loadModelSpec(tinyModel);
		expect(spec).toMatchObject({
			name: 'tiny-fcn',
			tileSize: 64,
			tilesOverlap: 50,
			bands: ['R', 'G', 'B'],
			output: 'logits',
			threshold: 0.5,
			classNames: {'0': 'background', '1': 'building'},
		});
		expect(spec.mean).toEqual([0.4, 0.4, 0.4]);
		expect(spec.sidecar).toBeUndefined();
	});

	it('lets a sidecar <model>.json override the embedded keys', async () => {
		const dir = await tempDir();
		const file = await tinyCopy(dir, 'buildings', {
			tile_size: 32,
			seg_thresh: 0.3,
			standardization_mean: [0.5],
			class_names: {'0': 'bg', '1': 'roof'},
		});
		const spec = await loadModelSpec(file);
		expect(spec).toMatchObject({
			tileSize: 32,
			threshold: 0.3,
			output: 'logits',
			classNames: {'0': 'bg', '1': 'roof'},
			sidecar: path.join(dir, 'buildings.json'),
		});
		expect(spec.mean).toEqual([0.5, 0.5, 0.5]);
	});

	it('takes several classes, coloured by class_colors as "#rrggbb" or [r, g, b]', () => {
		const spec = specFromMetadata('m.onnx', {
			class_names: '{"0": "background", "1": "building", "2": "road", "3": "tree"}',
			class_colors: '{"1": "#FF8000", "3": [0, 200, 0]}',
		});
		expect(Object.keys(spec.classNames)).toHaveLength(4);
		expect(spec.classColors).toEqual({'1': [255, 128, 0], '3': [0, 200, 0]});
		expect(classConfigOf(spec.classNames, spec.classColors).classes.map((info) => info.color)).toEqual([
			[0, 0, 0],
			[255, 128, 0],
			[31, 119, 180],
			[0, 200, 0],
		]);
	});

	it('refuses one class, colours of classes it does not have and colours that are not colours', () => {
		expect(() => specFromMetadata('m.onnx', {class_names: '{"0": "background"}'})).toThrow(
			/m\.onnx: class_names has 1 class/,
		);
		const classNames = '{"0": "background", "1": "building", "2": "road"}';
		expect(() => specFromMetadata('m.onnx', {class_names: classNames, class_colors: '{"5": "#ffffff"}'})).toThrow(
			/class_colors names 5, which class_names does not have/,
		);
		expect(() => specFromMetadata('m.onnx', {class_names: classNames, class_colors: '{"1": "red"}'})).toThrow(
			/class_colors\.1/,
		);
		expect(() => specFromMetadata('m.onnx', {class_names: classNames, class_colors: '{"1": [300, 0, 0]}'})).toThrow(
			/class_colors\.1/,
		);
	});

	it('decodes JSON-encoded, bare and Python-literal values', () => {
		expect(decodeValue('"Segmentor"')).toBe('Segmentor');
		expect(decodeValue('Segmentor')).toBe('Segmentor');
		expect(decodeValue("{0: 'background', 1: 'building'}")).toEqual({'0': 'background', '1': 'building'});
		expect(decodeValue('[0.485, 0.456, 0.406]')).toEqual([0.485, 0.456, 0.406]);
	});
});

describe('bad models are UserErrors that name the file', () => {
	it('a file that is not ONNX', async () => {
		const dir = await tempDir();
		const file = path.join(dir, 'notes.onnx');
		await writeFile(file, 'these are not the weights you are looking for\n');
		await expect(openEnsemble({models: [file], provider: 'cpu'})).rejects.toThrow(UserError);
		await expect(loadModelSpec(file)).rejects.toThrow(/notes\.onnx: not an ONNX model/);
	});

	it('a model whose channels do not match its bands', async () => {
		const dir = await tempDir();
		const file = await tinyCopy(dir, 'four-bands', {
			deepmask_bands: ['R', 'G', 'B', 'DSM'],
			standardization_mean: [0.4],
			standardization_std: [0.2],
			deepmask_dsm: {mode: 'ndsm', scale: 0.1},
		});
		const error = await openEnsemble({models: [file], provider: 'cpu'}).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(UserError);
		expect((error as Error).message).toMatch(
			/four-bands\.onnx.*takes 3 channels but its bands are \["R","G","B","DSM"\]/,
		);
	});

	it('a DSM band without a DSM normalisation', async () => {
		const dir = await tempDir();
		const file = await tinyCopy(dir, 'no-dsm-norm', {deepmask_bands: ['R', 'G', 'B', 'DSM']});
		await expect(loadModelSpec(file)).rejects.toThrow(/no-dsm-norm\.onnx.*deepmask_dsm/);
	});

	it('ensemble members that disagree on classes', async () => {
		const dir = await tempDir();
		const buildings = await tinyCopy(dir, 'buildings');
		const trees = await tinyCopy(dir, 'trees', {class_names: {'0': 'background', '1': 'tree'}});
		const error = await openEnsemble({models: [buildings, trees], provider: 'cpu'}).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(UserError);
		expect((error as Error).message).toMatch(/disagree on classes.*buildings\.onnx.*trees\.onnx/);
	});

	it('metadata that fails validation, and folders without models', async () => {
		const dir = await tempDir();
		const file = await tinyCopy(dir, 'bad', {seg_thresh: 7, model_type: 'Detector'});
		await expect(loadModelSpec(file)).rejects.toThrow(/bad\.onnx.*model_type: only Segmentor.*seg_thresh/);
		const empty = await tempDir();
		await expect(openEnsemble({models: [empty]})).rejects.toThrow(/holds no \.onnx models/);
		await expect(openEnsemble({models: [path.join(empty, 'missing.onnx')]})).rejects.toThrow(/no such model file/);
	});
});
