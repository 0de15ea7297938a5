/**
 * One image/label pair of the ArcGIS "Export Training Data For Deep Learning" Classified Tiles layout:
 * images/<12 digits>.tif (RGB) and labels/<12 digits>.tif (1-band uint8 class values, no palette so
 * that readers converting to grey keep the values), each with a world file. The number is the tile's
 * position in the grid (row × cols + col), as ArcGIS numbers chips of its stride grid.
 */
import path from 'node:path';
import sharp from '../../sharp.js';
import {writeAtomic} from '../../fs/atomic.js';
import {foregroundConnectivity, labelComponents} from '../../masks/components.js';
import type {Tile} from '../../geo/plan.js';
import type {GeoRaster} from '../../geo/georaster.js';
import {readGeoTiffFile, writeGeoTiffFile} from '../../geo/geotiff.js';
import {bandStatsOf, type BandStats} from './band-stats.js';
import {storedEncoding} from '../../run-folder/tile-store.js';
import {exists} from '../../fs/exists.js';
import type {Size} from '../../geo/resize-nearest.js';

export const trainingFolders = {images: 'images', labels: 'labels'} as const;

/** What the metadata files need from a chip, small enough to keep for every tile (e.g. in the manifest). */
export type ChipSummary = {
	index: number;
	tile: string;
	width: number;
	height: number;
	bands: BandStats[];
	/** Per class value asked for, in that order: its connected components (8-connected) in the label chip. */
	features: FeatureSummary[];
};

/** Connected components of one class in a label chip, areas in map units². */
export type FeatureSummary = {count: number; minArea: number; maxArea: number; sumArea: number};

export function chipName(index: number): string {
	return String(index).padStart(12, '0');
}

export function chipIndex(tile: Pick<Tile, 'row' | 'col'>, cols: number): number {
	return tile.row * cols + tile.col;
}

/** The four files of chip `index`, under `trainingDir`: image and label, each with its world file. */
export function chipFiles(trainingDir: string, index: number): string[] {
	const name = chipName(index);
	return [trainingFolders.images, trainingFolders.labels].flatMap((folder) =>
		['tif', 'tfw'].map((ext) => path.join(trainingDir, folder, `${name}.${ext}`)),
	);
}

/** ESRI world file: pixel size, rotation terms, and the centre of the top-left pixel. */
export function worldFile(bbox: Tile['bbox'], size: Size): string {
	const x = (bbox.xmax - bbox.xmin) / size.width;
	const y = (bbox.ymax - bbox.ymin) / size.height;
	return [x, 0, 0, -y, bbox.xmin + x / 2, bbox.ymax - y / 2].map((value) => value.toFixed(10)).join('\n') + '\n';
}

export type TrainingChipInput = {
	tile: Tile;
	/** Grid position, see chipIndex. */
	index: number;
	epsg: number;
	/** The RGB tile (its first three bands are used); resized to `size` when it differs. */
	rgb: GeoRaster;
	/** Class values at `size`. */
	label: Uint8Array;
	size: Size;
	/** The label's value outside a clipping area, written as its nodata. */
	labelNodata?: number;
	/** The class values whose features the summary counts. */
	classValues: number[];
};

export async function writeTrainingChip(trainingDir: string, input: TrainingChipInput): Promise<ChipSummary> {
	const {tile, index, epsg, size, label} = input;
	const name = chipName(index);
	const rgb = await rgbAt(input.rgb, size);
	const world = worldFile(tile.bbox, size);
	const imagePath = path.join(trainingDir, trainingFolders.images, name);
	const labelPath = path.join(trainingDir, trainingFolders.labels, name);
	const image: GeoRaster = {width: size.width, height: size.height, bands: 3, data: rgb, bbox: tile.bbox, epsg};
	const stored = storedEncoding(input.rgb);
	if (stored && sameRaster(image, input.rgb)) await writeAtomic(`${imagePath}.tif`, stored);
	else await writeGeoTiffFile(`${imagePath}.tif`, image);
	await writeAtomic(`${imagePath}.tfw`, world);
	await writeGeoTiffFile(`${labelPath}.tif`, {
		width: size.width,
		height: size.height,
		bands: 1,
		data: label,
		bbox: tile.bbox,
		epsg,
		...(input.labelNodata !== undefined && {nodata: input.labelNodata}),
	});
	await writeAtomic(`${labelPath}.tfw`, world);

	return chipSummary(tile, index, rgb, label, size, input.classValues);
}

function chipSummary(
	tile: Tile,
	index: number,
	rgb: Uint8Array,
	label: Uint8Array,
	size: Size,
	classValues: number[],
): ChipSummary {
	const cellArea = ((tile.bbox.xmax - tile.bbox.xmin) / size.width) * ((tile.bbox.ymax - tile.bbox.ymin) / size.height);
	return {
		index,
		tile: tile.id,
		width: size.width,
		height: size.height,
		bands: bandStatsOf(rgb, 3),
		features: classValues.map((value) => featureSummary(label, size, value, cellArea)),
	};
}

function featureSummary(label: Uint8Array, size: Size, value: number, cellArea: number): FeatureSummary {
	const {count, sizes} = labelComponents(label, size.width, size.height, {
		value,
		connectivity: foregroundConnectivity,
	});
	let minPixels = Infinity;
	let maxPixels = 0;
	let sumPixels = 0;
	for (let k = 1; k <= count; k++) {
		minPixels = Math.min(minPixels, sizes[k]);
		maxPixels = Math.max(maxPixels, sizes[k]);
		sumPixels += sizes[k];
	}
	return {
		count,
		minArea: count ? minPixels * cellArea : 0,
		maxArea: maxPixels * cellArea,
		sumArea: sumPixels * cellArea,
	};
}

/** The summary of a chip already on disk (e.g. written before a resume), or undefined when it is missing. */
export async function readChipSummary(
	trainingDir: string,
	tile: Tile,
	index: number,
	classValues: number[],
): Promise<ChipSummary | undefined> {
	const name = chipName(index);
	const imageFile = path.join(trainingDir, trainingFolders.images, `${name}.tif`);
	const labelFile = path.join(trainingDir, trainingFolders.labels, `${name}.tif`);
	if (!(await exists(imageFile)) || !(await exists(labelFile))) return undefined;
	const [image, label] = await Promise.all([readGeoTiffFile(imageFile), readGeoTiffFile(labelFile)]);
	if (
		!(image.data instanceof Uint8Array) ||
		image.bands !== 3 ||
		!(label.data instanceof Uint8Array) ||
		label.width !== image.width ||
		label.height !== image.height
	) {
		throw new Error(
			`training chip ${name} (tile ${tile.id}) is not a 3-band uint8 image with a label of the same size; delete both files and rerun`,
		);
	}
	return chipSummary(tile, index, image.data, label.data, {width: image.width, height: image.height}, classValues);
}

/** Whether the two rasters are one GeoTIFF: the same samples (the same array), size, place and no-data. */
function sameRaster(a: GeoRaster, b: GeoRaster): boolean {
	return (
		a.data === b.data &&
		a.width === b.width &&
		a.height === b.height &&
		a.bands === b.bands &&
		a.epsg === b.epsg &&
		a.nodata === b.nodata &&
		a.nodataMask === b.nodataMask &&
		a.colorMap === b.colorMap &&
		(['xmin', 'ymin', 'xmax', 'ymax'] as const).every((side) => a.bbox[side] === b.bbox[side])
	);
}

async function rgbAt(raster: GeoRaster, size: Size): Promise<Uint8Array> {
	if (!(raster.data instanceof Uint8Array) || raster.bands < 3)
		throw new Error(`the RGB tile must be uint8 with 3 bands, got ${raster.bands} band(s)`);
	let data = raster.data;
	if (raster.bands > 3) {
		data = new Uint8Array(raster.width * raster.height * 3);
		for (let i = 0, j = 0; j < data.length; i += raster.bands, j += 3) data.set(raster.data.subarray(i, i + 3), j);
	}
	if (raster.width === size.width && raster.height === size.height) return data;
	const resized = await sharp(data, {raw: {width: raster.width, height: raster.height, channels: 3}})
		.resize(size.width, size.height, {fit: 'fill'})
		.raw()
		.toBuffer();
	return new Uint8Array(resized.buffer, resized.byteOffset, resized.byteLength);
}
