import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {fromArrayBuffer} from 'geotiff';
import sharp from '../engine/sharp.js';
import {messageOf, UserError} from '../errors.js';
import {arrayBufferOf} from '../engine/geo/array-buffer.js';
import {decodeGeoTiff, readSamples} from '../engine/geo/geotiff.js';
import type {GeoRaster} from '../engine/geo/georaster.js';
import {ignoredLabel} from './class-confusion.js';

/** 10000 × 10000: 300 MB as RGB, already more than one image should take; larger ones are cut into tiles first. */
const maxPixels = 100_000_000;

const imageExtensions = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff']);
const tiffExtensions = new Set(['.tif', '.tiff']);

/** An input image: 3-band interleaved uint8, and its georeferencing when it was a GeoTIFF. */
export type InputImage = {
	file: string;
	stem: string;
	width: number;
	height: number;
	rgb: Uint8Array;
	geo?: Pick<GeoRaster, 'bbox' | 'epsg'>;
};

/** The images of a folder (PNG, JPEG, TIFF, GeoTIFF), sorted by name; an empty folder is a UserError. */
export async function listImages(dir: string, what = 'input'): Promise<string[]> {
	let names: string[];
	try {
		names = await readdir(dir);
	} catch {
		throw new UserError(`${dir}: no such ${what} folder. Check the path.`);
	}
	const files = names.filter((name) => imageExtensions.has(path.extname(name).toLowerCase())).sort();
	if (files.length === 0) throw new UserError(`${dir}: the ${what} folder holds no PNG, JPEG or TIFF images.`);
	const stems = files.map(stemOf);
	const twice = stems.find((stem, index) => stems.indexOf(stem) !== index);
	if (twice)
		throw new UserError(`${dir}: two images are named ${twice}.*; outputs are named after the inputs, so rename one.`);
	return files.map((name) => path.join(dir, name));
}

const stemOf = (file: string) => path.basename(file, path.extname(file));

const unreadable: Record<string, string> = {
	EISDIR: 'it is a folder, not an image; move it out of the folder or rename it',
	ELOOP: 'it is a symbolic link that leads back to itself; remove the link',
	ENOENT: 'it does not exist (a broken symbolic link?); remove the link',
	EACCES: 'no permission to read it; change its permissions',
};

/** The file's bytes, after checking (from its header alone) that its size is one deepmask decodes. */
async function readInput(file: string): Promise<Uint8Array> {
	let bytes: Uint8Array;
	try {
		const read = await readFile(file);
		bytes = new Uint8Array(read.buffer, read.byteOffset, read.byteLength);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code ?? '';
		throw new UserError(`${file}: cannot read the image: ${unreadable[code] ?? messageOf(error)}.`);
	}
	let size: {width: number; height: number};
	try {
		size = await declaredSize(bytes);
	} catch (error) {
		throw corrupt(file, error);
	}
	if (size.width * size.height > maxPixels)
		throw new UserError(
			`${file}: the image declares ${size.width}×${size.height} pixels, more than deepmask decodes at once (${maxPixels / 1e6} megapixels); cut it into tiles first (e.g. gdal_retile.py -ps 4096 4096).`,
		);
	return bytes;
}

const isTiff = (bytes: Uint8Array) =>
	(bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d);

async function declaredSize(bytes: Uint8Array): Promise<{width: number; height: number}> {
	if (isTiff(bytes)) {
		const image = await (await fromArrayBuffer(arrayBufferOf(bytes))).getImage();
		return {width: image.getWidth(), height: image.getHeight()};
	}
	const {width, height} = await sharp(bytes).metadata();
	return {width: width ?? 0, height: height ?? 0};
}

/** GeoTIFF when the TIFF carries a CRS, else undefined (a plain TIFF). */
async function tryGeoTiff(bytes: Uint8Array): Promise<GeoRaster | undefined> {
	try {
		return await decodeGeoTiff(bytes);
	} catch {
		return undefined;
	}
}

function corrupt(file: string, error: unknown): UserError {
	return new UserError(
		`${file}: cannot decode the image (${messageOf(error)}). Replace or remove the file (it may be truncated).`,
	);
}

/** Read an RGB image: 1 band is repeated as grey, a 4th (alpha) band dropped; samples must be 8-bit. */
export async function readImage(file: string): Promise<InputImage> {
	const bytes = await readInput(file);
	const stem = stemOf(file);
	const geo = tiffExtensions.has(path.extname(file).toLowerCase()) ? await tryGeoTiff(bytes) : undefined;
	if (geo) {
		if (!(geo.data instanceof Uint8Array))
			throw new UserError(
				`${file}: the image's samples are not 8-bit; deepmask needs 8-bit RGB (convert it, e.g. gdal_translate -ot Byte -scale).`,
			);
		return {
			file,
			stem,
			width: geo.width,
			height: geo.height,
			rgb: toRgb(geo.data, geo.width * geo.height, geo.bands),
			geo: {bbox: geo.bbox, epsg: geo.epsg},
		};
	}
	try {
		const {data, info} = await sharp(bytes, {failOn: 'error'})
			.removeAlpha()
			.toColourspace('srgb')
			.raw()
			.toBuffer({resolveWithObject: true});
		if (info.channels !== 3) throw new Error(`${info.channels} channels after conversion`);
		return {
			file,
			stem,
			width: info.width,
			height: info.height,
			rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
		};
	} catch (error) {
		throw corrupt(file, error);
	}
}

function toRgb(data: Uint8Array, pixels: number, bands: number): Uint8Array {
	if (bands === 3) return data;
	const rgb = new Uint8Array(pixels * 3);
	for (let i = 0; i < pixels; i++) {
		for (let c = 0; c < 3; c++) rgb[i * 3 + c] = data[i * bands + (bands < 3 ? 0 : c)];
	}
	return rgb;
}

/**
 * Read a DSM: the first band of a TIFF or GeoTIFF as float32 with its GDAL nodata value, or a greyscale
 * 8- or 16-bit image (PNG) whose values are the heights and whose transparent pixels have no data (NaN).
 */
export async function readDsm(
	file: string,
): Promise<{data: Float32Array; width: number; height: number; nodata?: number}> {
	const bytes = await readInput(file);
	if (isTiff(bytes)) return readTiffDsm(file, bytes);
	let metadata;
	try {
		metadata = await sharp(bytes, {failOn: 'error'}).metadata();
	} catch (error) {
		throw corrupt(file, error);
	}
	const format = (metadata.format ?? 'image').toUpperCase();
	const colours = (metadata.channels ?? 1) - (metadata.hasAlpha ? 1 : 0);
	if (colours !== 1)
		throw new UserError(
			`${file}: a ${format} with ${colours} colour channels is not a DSM; a DSM has one band of heights (a single-band GeoTIFF, or a greyscale 8- or 16-bit PNG).`,
		);
	try {
		// libvips reads 16-bit grey as 8-bit unless the output colour space says 16 bits.
		const wide = metadata.depth === 'ushort';
		const {data, info} = await sharp(bytes, {failOn: 'error'})
			.toColourspace(wide ? 'grey16' : 'b-w')
			.raw({depth: wide ? 'ushort' : 'uchar'})
			.toBuffer({resolveWithObject: true});
		const samples = wide ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : new Uint8Array(data);
		// The colour space conversion keeps or drops the alpha band depending on the depth: read it on its own.
		const alpha = metadata.hasAlpha
			? await sharp(bytes, {failOn: 'error'}).extractChannel('alpha').raw().toBuffer()
			: undefined;
		const heights = new Float32Array(info.width * info.height);
		for (let i = 0; i < heights.length; i++) heights[i] = alpha?.[i] === 0 ? NaN : samples[i * info.channels];
		return {data: heights, width: info.width, height: info.height};
	} catch (error) {
		throw corrupt(file, error);
	}
}

async function readTiffDsm(
	file: string,
	bytes: Uint8Array,
): Promise<{data: Float32Array; width: number; height: number; nodata?: number}> {
	try {
		const image = await (await fromArrayBuffer(arrayBufferOf(bytes))).getImage();
		const samples = await readSamples(image, bytes);
		const bands = image.getSamplesPerPixel();
		const nodata = image.getGDALNoData();
		return {
			data:
				bands === 1
					? samples instanceof Float32Array
						? samples
						: Float32Array.from(samples)
					: Float32Array.from({length: samples.length / bands}, (_, i) => samples[i * bands]),
			width: image.getWidth(),
			height: image.getHeight(),
			nodata: nodata ?? undefined,
		};
	} catch (error) {
		throw corrupt(file, error);
	}
}

function firstBand(data: Uint8Array | Float32Array, pixels: number, bands: number): Float32Array {
	const out = new Float32Array(pixels);
	for (let i = 0; i < pixels; i++) out[i] = data[i * bands];
	return out;
}

/**
 * Read a label raster: any non-zero sample of the first band is the class; with `classIds`, the samples are
 * class ids, kept (nodata and values beyond a byte become `ignoredLabel`).
 */
export async function readLabel(
	file: string,
	options: {classIds?: boolean} = {},
): Promise<{data: Uint8Array; width: number; height: number}> {
	const bytes = await readInput(file);
	const geo = tiffExtensions.has(path.extname(file).toLowerCase()) ? await tryGeoTiff(bytes) : undefined;
	const classOf = options.classIds
		? (value: number, nodata?: number) =>
				value === nodata || !(value >= 0 && value < ignoredLabel) ? ignoredLabel : value
		: (value: number, nodata?: number) => (value !== 0 && value !== nodata ? 1 : 0);
	if (geo) {
		const band = firstBand(geo.data, geo.width * geo.height, geo.bands);
		return {
			data: Uint8Array.from(band, (value) => classOf(value, geo.nodata)),
			width: geo.width,
			height: geo.height,
		};
	}
	try {
		const {data, info} = await sharp(bytes, {failOn: 'error'})
			.extractChannel(0)
			.raw()
			.toBuffer({resolveWithObject: true});
		return {data: Uint8Array.from(data, (value) => classOf(value)), width: info.width, height: info.height};
	} catch (error) {
		throw corrupt(file, error);
	}
}

/** The file in `dir` with the same stem as `file` and one of the image extensions. */
export async function companion(dir: string, file: string, what: string): Promise<string> {
	const stem = stemOf(file);
	const names = await readdir(dir).catch(() => {
		throw new UserError(`${dir}: no such ${what} folder. Check the path.`);
	});
	const match = names.find((name) => stemOf(name) === stem && imageExtensions.has(path.extname(name).toLowerCase()));
	if (!match)
		throw new UserError(
			`${file}: no ${what} named ${stem}.* in ${dir}. Each input image needs a ${what} with the same name.`,
		);
	return path.join(dir, match);
}
