/**
 * `deepmask infer` as a whole process (built CLI, the bench's provider, resize mode) on a folder of images against the
 * same models alone (models-alone-child.mjs) on as many model-size tensors: time and peak memory. The models' input
 * size is theirs, or the one given (issue 19 measures resize to 512, the old workflow's), set by a sidecar as a
 * user would set it.
 */
import {execFile} from 'node:child_process';
import {copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import sharp from 'sharp';
import {writeGeoTiffFile} from '../source/engine/geo/geotiff.js';
import {renderScene} from '../source/demo/scene.js';
import {loadModelSpec, sidecarPath} from '../source/engine/infer/metadata.js';
import {timed} from './measure.js';
import {benchProvider} from './provider.js';
import {cli, productFlags} from './product-node.js';

const execFileAsync = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
/** One RGB and one RGB + DSM demo model: the two smallest. */
const inferModels = ['unet-rgb-small', 'linknet-rgbd'].map((name) => path.resolve(here, `../models/demo/${name}.onnx`));

export type InferFigure = {
	images: number;
	imageSize: number;
	modelInput: number;
	inferSeconds: number;
	modelsSeconds: number;
	efficiency: number;
	inferPeakRssMb: number;
	modelsPeakRssMb: number;
};

/**
 * `count` PNG images of the demo town, `size` px square, 0.25 m pixels, and their DSMs as GeoTIFFs. Six
 * scenes are drawn (drawing costs more CPU than the whole figure) and copied under the other names.
 */
async function demoImages(folder: string, count: number, size: number): Promise<{images: string; dsm: string}> {
	const images = path.join(folder, 'images');
	const dsm = path.join(folder, 'dsm');
	mkdirSync(images);
	mkdirSync(dsm);
	const span = size * 0.25;
	const scenes = 6;
	const name = (index: number) => `image-${String(index).padStart(3, '0')}`;
	for (let index = 0; index < Math.min(count, scenes); index++) {
		const xmin = 1_002_000 + index * span;
		const ymin = 6_002_000;
		const bbox = {xmin, ymin, xmax: xmin + span, ymax: ymin + span};
		const scene = renderScene({bbox, width: size, height: size}, new Set(['rgb', 'dsm']));
		await sharp(scene.rgb!, {raw: {width: size, height: size, channels: 3}})
			.png()
			.toFile(path.join(images, `${name(index)}.png`));
		await writeGeoTiffFile(path.join(dsm, `${name(index)}.tif`), {
			width: size,
			height: size,
			bands: 1,
			data: scene.dsm!,
			bbox,
			epsg: 3857,
			nodata: -9999,
		});
	}
	for (let index = scenes; index < count; index++) {
		copyFileSync(path.join(images, `${name(index % scenes)}.png`), path.join(images, `${name(index)}.png`));
		copyFileSync(path.join(dsm, `${name(index % scenes)}.tif`), path.join(dsm, `${name(index)}.tif`));
	}
	return {images, dsm};
}

/** The bench's models copied into `folder`, each with a sidecar setting its input size when one is given. */
function modelsWithInput(folder: string, modelInput: number | undefined): string[] {
	mkdirSync(folder, {recursive: true});
	return inferModels.map((model) => {
		const copy = path.join(folder, path.basename(model));
		copyFileSync(model, copy);
		if (modelInput) writeFileSync(sidecarPath(copy), JSON.stringify({tile_size: modelInput}));
		return copy;
	});
}

/** One figure per model input size (undefined: the models' own), on the same images. */
export async function inferFigures(
	count: number,
	size: number,
	modelInputs: Array<number | undefined>,
): Promise<InferFigure[]> {
	const folder = mkdtempSync(path.join(os.tmpdir(), 'deepmask-bench-infer-'));
	try {
		const images = await demoImages(folder, count, size);
		const figures: InferFigure[] = [];
		for (const [index, modelInput] of modelInputs.entries())
			figures.push(await inferFigure(images, path.join(folder, `run-${index}`), count, size, modelInput));
		return figures;
	} finally {
		rmSync(folder, {recursive: true, force: true});
	}
}

async function inferFigure(
	{images, dsm}: {images: string; dsm: string},
	folder: string,
	count: number,
	size: number,
	modelInput: number | undefined,
): Promise<InferFigure> {
	const models = modelsWithInput(path.join(folder, 'models'), modelInput);
	const out = path.join(folder, 'out');
	const infer = await timed(() =>
		execFileAsync('/usr/bin/time', [
			'-f',
			'%M',
			process.execPath,
			...productFlags,
			cli,
			'infer',
			'--provider',
			benchProvider,
			'--mode',
			'resize',
			...models.flatMap((model) => ['--models', model]),
			'--input',
			images,
			'--dsm',
			dsm,
			'--out',
			out,
		]),
	);
	const inferPeakRssMb = Number(infer.result.stderr.trim().split('\n').at(-1)) / 1024;
	const specs = await Promise.all(models.map((model) => loadModelSpec(model)));
	const alone = await execFileAsync(process.execPath, [
		path.join(here, 'models-alone-child.mjs'),
		String(count),
		...specs.map((spec) => `${spec.path}:${spec.bands.length}:${spec.tileSize}`),
	]);
	const modelsAlone = JSON.parse(alone.stdout.trim().split('\n').at(-1)!) as {seconds: number; peakRssMb: number};
	const inferSeconds = infer.ms / 1000;
	return {
		images: count,
		imageSize: size,
		modelInput: specs[0].tileSize!,
		inferSeconds,
		modelsSeconds: modelsAlone.seconds,
		efficiency: modelsAlone.seconds / inferSeconds,
		inferPeakRssMb,
		modelsPeakRssMb: modelsAlone.peakRssMb,
	};
}
