/**
 * `deepmask doctor --models`: each of the user's models loaded as a run would load it (metadata, sidecar,
 * input and output shapes, execution provider) and run once on a synthetic tile, then the set checked as one
 * ensemble (same classes). Why CUDA did not load is the environment check's to say, once.
 */
import path from 'node:path';
import {messageOf} from '../../errors.js';
import type {Check} from './diagnose.js';
import {resolveModelPaths} from './discover.js';
import {openEnsemble} from './ensemble.js';
import {checkSameClasses} from './io-check.js';
import {loadModelSpec} from './metadata.js';
import type {ModelInfo, PredictInput, Provider} from './types.js';

export type ModelsReport = {models: Check[]; ensemble?: Check; ok: boolean};

export async function checkModels(entries: string[], provider: Provider): Promise<ModelsReport> {
	const files = await resolveModelPaths(entries);
	const models: Check[] = [];
	for (const file of files) models.push(await checkModel(file, provider));
	const ensemble = files.length > 1 ? await ensembleCheck(files) : undefined;
	return {models, ensemble, ok: models.every((check) => check.ok) && (ensemble?.ok ?? true)};
}

async function checkModel(file: string, provider: Provider): Promise<Check> {
	const name = path.relative(process.cwd(), file) || file;
	let ensemble;
	try {
		ensemble = await openEnsemble({models: [file], provider});
	} catch (error) {
		return {name, ok: false, required: false, detail: messageOf(error)};
	}
	try {
		const [model] = ensemble.models;
		const started = performance.now();
		const {probability} = await ensemble.predict(syntheticTile(model));
		const ms = performance.now() - started;
		const range = valueRange(probability);
		const described = describeModel(model);
		if (!range)
			return {
				name,
				ok: false,
				required: false,
				detail: `${described}; the test run gave probabilities that are not finite numbers in 0–1`,
				fix: 'check the export (deepmask_output "probabilities" vs "logits") with models/tools/export_smp.py',
			};
		return {
			name,
			ok: true,
			required: false,
			detail: `${described}; test run ${ms.toFixed(0)} ms, probabilities ${range[0].toFixed(2)}–${range[1].toFixed(2)}`,
		};
	} catch (error) {
		return {name, ok: false, required: false, detail: `the test run failed: ${messageOf(error)}`};
	} finally {
		await ensemble.close();
	}
}

function describeModel(model: ModelInfo): string {
	const classes = Object.values(model.classNames).join('/');
	return `${model.bands.join('+')}, ${model.tileSize} px, classes ${classes}, ${model.output}, on ${model.provider}`;
}

async function ensembleCheck(files: string[]): Promise<Check> {
	const name = `ensemble of ${files.length} models`;
	try {
		checkSameClasses(await Promise.all(files.map((file) => loadModelSpec(file))));
		return {name, ok: true, required: false, detail: 'the members share their classes'};
	} catch (error) {
		return {name, ok: false, required: false, detail: messageOf(error)};
	}
}

/** A deterministic tile with texture in every band, and a DSM of plausible heights when the model reads one. */
function syntheticTile(model: ModelInfo): PredictInput {
	const size = model.tileSize;
	const rgb = new Uint8Array(size * size * 3);
	const dsm = new Float32Array(size * size);
	for (let y = 0; y < size; y++) {
		for (let x = 0; x < size; x++) {
			const pixel = y * size + x;
			rgb[pixel * 3] = (x * 255) / size;
			rgb[pixel * 3 + 1] = (y * 255) / size;
			rgb[pixel * 3 + 2] = ((x ^ y) & 32) === 0 ? 60 : 200;
			dsm[pixel] = 100 + (((x >> 5) + (y >> 5)) % 2) * 8;
		}
	}
	return {
		id: 'doctor',
		rgb: {data: rgb, width: size, height: size},
		...(model.needsDsm && {dsm: {data: dsm, width: size, height: size}}),
		outWidth: size,
		outHeight: size,
	};
}

function valueRange(values: Float32Array): [number, number] | undefined {
	let low = Infinity;
	let high = -Infinity;
	for (const value of values) {
		if (!Number.isFinite(value) || value < 0 || value > 1) return undefined;
		low = Math.min(low, value);
		high = Math.max(high, value);
	}
	return [low, high];
}
