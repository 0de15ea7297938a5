import path from 'node:path';
import {probabilityBytes} from '../engine/classes/threshold-byte.js';
import {decisionRule} from '../engine/classes/threshold.js';
import type {ClassConfig} from '../engine/classes/class-config.js';
import {schemeOf} from '../engine/classes/registry.js';
import sharp from '../engine/sharp.js';
import {UserError} from '../errors.js';
import {writeAtomic} from '../engine/fs/atomic.js';
import {prepareRunFolder} from '../engine/fs/storage-errors.js';
import {isInside, resolvedPath} from '../engine/fs/contained.js';
import {encodeGeoTiff} from '../engine/geo/geotiff.js';
import {openEnsemble} from '../engine/infer/ensemble.js';
import {companion, listImages, readDsm, readImage, type InputImage} from './input-images.js';
import type {EnsembleOptions} from '../engine/infer/types.js';

export type InferFolderOptions = Omit<EnsembleOptions, 'models'> & {
	models: string[];
	input: string;
	out: string;
	dsm?: string;
	/** Output size; default each input's own size. */
	size?: {width: number; height: number};
	/** Default: the members' mean seg_thresh. */
	threshold?: number;
	/** Also write the ensemble probability (uint8 0–255; multi-class: the winning class's) under prob/. */
	probabilities?: boolean;
	/** Images decoded and inferred at the same time (the workers batch across them). Default 4. */
	concurrency?: number;
	onFile?: (done: FileResult) => void;
};

export type FileResult = {
	input: string;
	mask: string;
	probability?: string;
	width: number;
	height: number;
	foreground: number;
};

/** Where the masks and probabilities go, inside --out. */
const outputFolders = {masks: 'masks', prob: 'prob'} as const;

/**
 * Masks for every image of a folder: <out>/masks/<stem>.png (0/255; multi-class: class ids) for plain images,
 * <out>/masks/<stem>.tif (GeoTIFF 0/1 or class ids, the input's georeferencing) for GeoTIFF input.
 */
export async function inferFolder(
	options: InferFolderOptions,
): Promise<{models: Awaited<ReturnType<typeof openEnsemble>>['models']; files: FileResult[]; threshold: number}> {
	const files = await listImages(options.input);
	await refuseOutputOverInput(options);
	if (options.threshold !== undefined && !(options.threshold >= 0 && options.threshold <= 1))
		throw new UserError(`threshold ${options.threshold} is out of range: use 0 to 1.`);
	await prepareRunFolder(options.out, 'the output folder');
	const ensemble = await openEnsemble(options);
	try {
		if (ensemble.needsDsm && !options.dsm) {
			const which = ensemble.models.filter((model) => model.needsDsm).map((model) => model.name);
			throw new UserError(
				`the models ${which.join(', ')} take a DSM band: pass --dsm DIR with a DSM GeoTIFF per image (same file name), or leave those models out.`,
			);
		}
		const threshold = options.threshold ?? ensemble.threshold;
		const results: FileResult[] = [];
		let next = 0;
		const worker = async () => {
			// The mean's planes, used again for this loop's next image of the same size (shared memory: see `into`).
			let mean: Float32Array<ArrayBufferLike> = new Float32Array(0);
			while (next < files.length) {
				const file = files[next++];
				options.signal?.throwIfAborted();
				const image = await readImage(file);
				const dsm =
					options.dsm && ensemble.needsDsm ? await readDsm(await companion(options.dsm, file, 'DSM')) : undefined;
				if (dsm && (dsm.width !== image.width || dsm.height !== image.height)) {
					throw new UserError(
						`${file}: the image is ${image.width}×${image.height} but its DSM is ${dsm.width}×${dsm.height}. Give a DSM of the same size.`,
					);
				}
				const width = options.size?.width ?? image.width;
				const height = options.size?.height ?? image.height;
				const values = ensemble.classes.planes * width * height;
				if (mean.length !== values)
					mean = new Float32Array(new SharedArrayBuffer(values * Float32Array.BYTES_PER_ELEMENT));
				const {probability} = await ensemble.predict({
					id: image.stem,
					rgb: {data: image.rgb, width: image.width, height: image.height},
					dsm,
					outWidth: width,
					outHeight: height,
					keepMembers: false,
					into: mean,
				});
				const result = await (ensemble.classes.classes.length > 2
					? writeClassOutputs(options, image, probability, width, height, threshold, ensemble.classes)
					: writeOutputs(options, image, probability, width, height, threshold));
				results.push(result);
				options.onFile?.(result);
			}
		};
		await Promise.all(Array.from({length: Math.min(options.concurrency ?? 4, files.length)}, worker));
		results.sort((a, b) => a.input.localeCompare(b.input));
		return {models: ensemble.models, files: results, threshold};
	} finally {
		await ensemble.close();
	}
}

/** An output folder that is, or lies inside, an input folder (or holds one where masks go) would overwrite the inputs. */
async function refuseOutputOverInput(options: InferFolderOptions): Promise<void> {
	const out = await resolvedPath(options.out);
	const written = await Promise.all(
		Object.values(outputFolders).map((folder) => resolvedPath(path.join(options.out, folder))),
	);
	for (const [flag, input] of [
		['--input', options.input],
		['--dsm', options.dsm],
	] as const) {
		if (input === undefined) continue;
		const real = await resolvedPath(input);
		if (isInside(real, out) || written.some((folder) => isInside(folder, real)))
			throw new UserError(
				`--out ${options.out} would write over ${flag} ${input} (the masks go to ${path.join(options.out, outputFolders.masks)}); choose an output folder outside the inputs`,
			);
	}
}

async function writeOutputs(
	options: InferFolderOptions,
	image: InputImage,
	probability: Float32Array,
	width: number,
	height: number,
	threshold: number,
): Promise<FileResult> {
	// GeoTIFF masks hold 0/1, PNG masks 0/255 (visible in an image viewer).
	const value = image.geo ? 1 : 255;
	const mask = new Uint8Array(width * height);
	let foreground = 0;
	for (let i = 0; i < mask.length; i++) {
		if (probability[i] >= threshold) {
			mask[i] = value;
			foreground++;
		}
	}
	const result: FileResult = {input: image.file, mask: '', width, height, foreground: foreground / mask.length};
	result.mask = await writeRaster(path.join(options.out, outputFolders.masks, image.stem), image, mask, width, height);
	if (options.probabilities) {
		const quantised = probabilityBytes(probability);
		result.probability = await writeRaster(
			path.join(options.out, outputFolders.prob, image.stem),
			image,
			quantised,
			width,
			height,
		);
	}
	return result;
}

/** A multi-class model's outputs: the argmax class ids at the threshold, as runs make masks, and the winning probability. */
async function writeClassOutputs(
	options: InferFolderOptions,
	image: InputImage,
	probability: Float32Array,
	width: number,
	height: number,
	threshold: number,
	classes: ClassConfig,
): Promise<FileResult> {
	const scheme = schemeOf(classes);
	const pixels = width * height;
	const bytes = probabilityBytes(probability);
	const mask = scheme.decide(bytes, pixels, decisionRule(classes, threshold));
	let foreground = 0;
	for (let i = 0; i < pixels; i++) if (mask[i] !== classes.background) foreground++;
	const base = (folder: string) => path.join(options.out, folder, image.stem);
	const result: FileResult = {
		input: image.file,
		mask: await writeRaster(base(outputFolders.masks), image, mask, width, height),
		width,
		height,
		foreground: foreground / pixels,
	};
	if (options.probabilities) {
		const winning = scheme.confidence(bytes, pixels);
		result.probability = await writeRaster(base(outputFolders.prob), image, winning, width, height);
	}
	return result;
}

/** GeoTIFF with the input's bbox and CRS when the input had them, else PNG. */
async function writeRaster(
	base: string,
	image: InputImage,
	data: Uint8Array,
	width: number,
	height: number,
): Promise<string> {
	if (image.geo) {
		const file = `${base}.tif`;
		await writeAtomic(
			file,
			await encodeGeoTiff({width, height, bands: 1, data, bbox: image.geo.bbox, epsg: image.geo.epsg}),
		);
		return file;
	}
	const file = `${base}.png`;
	await writeAtomic(
		file,
		await sharp(data, {raw: {width, height, channels: 1}})
			.toColourspace('b-w')
			.png()
			.toBuffer(),
	);
	return file;
}
