/**
 * The metadata files of the Classified Tiles layout, written once all chips exist: map.txt,
 * stats.txt, esri_accumulated_stats.json and esri_model_definition.emd, with the fields and formats
 * of an ArcGIS Pro 3.1 export (arcgis.learn's prepare_data needs the last three to recognise the folder).
 */
import path from 'node:path';
import {writeAtomic, writeJsonAtomic} from '../../fs/atomic.js';
import type {PaletteEntry} from '../../geo/georaster.js';
import {emptyBandStats, mergeBandStats, standardDeviation, type BandStats} from './band-stats.js';
import type {Size} from '../../geo/resize-nearest.js';
import {chipName, trainingFolders, type ChipSummary} from './training-chips.js';

export type TrainingClass = {value: number; name: string; color: PaletteEntry};

export type TrainingMetadataInput = {
	/** Chips whose features are counted per class of `classes`, in that order. */
	chips: ChipSummary[];
	classes: TrainingClass[];
	epsg: number;
	/** Map units per chip pixel. */
	cellSize: {x: number; y: number};
	chipSize: Size;
	/** Chip numbers run below this (rows × cols of the grid). */
	nextIndex: number;
};

export const trainingFiles = {
	map: 'map.txt',
	stats: 'stats.txt',
	accumulated: 'esri_accumulated_stats.json',
	definition: 'esri_model_definition.emd',
} as const;

const bandNames = ['Red', 'Green', 'Blue'];
const wellKnownBandNames = [
	'Red',
	'Green',
	'Blue',
	'Infrared',
	'CoastalBlue',
	'Yellow',
	'RedEdge',
	'ShortWaveInfrared',
	'NearInfrared',
	'NearInfrared_1',
	'NearInfrared_2',
	'MidInfrared',
	'MidInfrared_1',
	'MidInfrared_2',
	'Thermal',
	'Thermal_1',
	'Thermal_2',
	'Panchromatic',
	'PseudoRed',
	'PseudoGreen',
	'PseudoBlue',
	'QA',
];

/** ArcGIS names Web Mercator by its old Esri code, with the EPSG code as latestWkid. */
function spatialReference(epsg: number): {wkid: number; latestWkid: number} {
	return epsg === 3857 ? {wkid: 102100, latestWkid: 3857} : {wkid: epsg, latestWkid: epsg};
}

type Summary = {Min: number; Max: number; Mean: number; Sum: number; Count: number};

function summary(values: number[]): Summary {
	const sum = values.reduce((a, b) => a + b, 0);
	return {
		Min: values.length ? Math.min(...values) : 0,
		Max: values.length ? Math.max(...values) : 0,
		Mean: values.length ? sum / values.length : 0,
		Sum: sum,
		Count: values.length,
	};
}

export async function writeTrainingMetadata(trainingDir: string, input: TrainingMetadataInput): Promise<string[]> {
	const chips = [...input.chips].sort((a, b) => a.index - b.index);
	const bands = chips.reduce<BandStats[]>(
		(total, chip) => total.map((band, b) => mergeBandStats(band, chip.bands[b])),
		bandNames.map(() => ({...emptyBandStats})),
	);
	const featuresPerImage = summary(
		chips.map((chip) => chip.features.reduce((total, features) => total + features.count, 0)),
	);
	const perClass = input.classes.map((_, c) => classFeatures(chips, c));
	const cell = {x: input.cellSize.x, y: input.cellSize.y, spatialReference: spatialReference(input.epsg)};
	const {width, height} = input.chipSize;

	const accumulated = {
		Version: 1,
		NumBands: bandNames.length,
		TileSizeX: width,
		TileSizeY: height,
		NumClasses: input.classes.length,
		NumTiles: chips.length,
		NumTilesAsDouble: chips.length,
		NextTileIndex: input.nextIndex,
		OutputFeatures: true,
		MetaDataMode: 'Classified_Tiles',
		MinCellSize: cell,
		MaxCellSize: cell,
		Classes: input.classes.map((c) => ({ClassValue: c.value, ClassName: c.name, Color: c.color})),
		FeatureStats: {
			NumClasses: input.classes.length,
			NumImagesTotal: chips.length,
			NumFeaturesTotal: featuresPerImage.Sum,
			NumImagesPerClass: perClass.map((features) => features.images),
			NumFeaturesPerClass: perClass.map((features) => features.area.Count),
			NumFeaturesPerImage: featuresPerImage,
			FeatureAreaPerClass: perClass.map((features) => features.area),
		},
		InputRastersProps: {RasterCount: 1, SensorName: 'Undefined', BandNames: bandNames},
		BandStatsState: bands.map((band) => ({
			Min: band.min,
			Max: band.max,
			Mean: 0,
			StdDev: 0,
			M1: band.mean,
			M2: band.m2,
			Num: band.count,
		})),
	};

	const definition = {
		Framework: 'e.g. TensorFlow or PyTorch',
		ModelConfiguration: 'e.g. UNet or FasterRCNN',
		ModelType: 'e.g. ObjectDetection or ImageClassification',
		ModelFile: 'e.g. ./trained.model',
		Description: 'e.g. which data model was trained on, when, by whom, mAP, etc',
		ImageHeight: height,
		ImageWidth: width,
		ExtractBands: 'e.g. [0, 1, 2]',
		DataRange: 'e.g. [0.1, 1.0] (optional)',
		ModelPadding: 'e.g. 64 (optional)',
		BatchSize: 'e.g. 8 (optional)',
		PerProcessGPUMemoryFraction: 'e.g. 0.8 (optional)',
		MetaDataMode: 'Classified_Tiles',
		BlackenAroundFeature: false,
		IsMultidimensional: false,
		CropTileMode: 'Fixed_Size',
		ImageSpaceUsed: 'MAP_SPACE',
		MinCellSize: cell,
		MaxCellSize: cell,
		Classes: input.classes.map((c) => ({Value: c.value, Name: c.name, Color: c.color})),
		InputRastersProps: accumulated.InputRastersProps,
		AllTilesStats: bands.map((band, b) => ({
			BandName: bandNames[b],
			Min: band.min,
			Max: band.max,
			Mean: band.mean,
			StdDev: standardDeviation(band),
		})),
		'WellKnownBandNames (FYI, these band names can be used in ExtractBands)': wellKnownBandNames,
	};

	const mapLines = chips.map(
		(chip) =>
			`${trainingFolders.images}\\${chipName(chip.index)}.tif ${trainingFolders.labels}\\${chipName(chip.index)}.tif\n`,
	);
	const files = Object.values(trainingFiles).map((name) => path.join(trainingDir, name));
	await writeAtomic(files[0], mapLines.join(''));
	await writeAtomic(files[1], statsText(chips.length, input, featuresPerImage, perClass));
	await writeJsonAtomic(files[2], accumulated);
	await writeJsonAtomic(files[3], definition);
	return files;
}

/** The features of the `c`-th class over the chips: how many chips have one, and their areas. */
function classFeatures(chips: ChipSummary[], c: number): ClassFeatures {
	const features = chips.map((chip) => chip.features[c]);
	const withFeatures = features.filter((feature) => feature.count > 0);
	const count = features.reduce((total, feature) => total + feature.count, 0);
	const areaSum = features.reduce((total, feature) => total + feature.sumArea, 0);
	return {
		images: withFeatures.length,
		area: {
			Min: withFeatures.length ? Math.min(...withFeatures.map((feature) => feature.minArea)) : 0,
			Max: withFeatures.length ? Math.max(...withFeatures.map((feature) => feature.maxArea)) : 0,
			Mean: count ? areaSum / count : 0,
			Sum: areaSum,
			Count: count,
		},
	};
}

type ClassFeatures = {images: number; area: Summary};

function statsText(images: number, input: TrainingMetadataInput, perImage: Summary, perClass: ClassFeatures[]): string {
	const {width, height} = input.chipSize;
	const rows = input.classes.map(
		(c, k) =>
			c.name.padEnd(42) +
			String(c.value).padStart(9) +
			String(perClass[k].images).padStart(11) +
			String(perClass[k].area.Count).padStart(11) +
			perClass[k].area.Min.toFixed(2).padStart(12) +
			perClass[k].area.Mean.toFixed(2).padStart(12) +
			perClass[k].area.Max.toFixed(2).padStart(12),
	);
	return [
		`images = ${images} *${bandNames.length}*${height}*${width}`,
		'',
		'Class feature statistics:',
		`features = ${perImage.Sum}`,
		`features per image = [min = ${perImage.Min}, mean = ${perImage.Mean.toFixed(2)}, max = ${perImage.Max}]`,
		`classes = ${input.classes.length}`,
		`${'cls name'.padEnd(42)}${'cls value'.padStart(9)}${'images'.padStart(11)}${'features'.padStart(11)}${'min size'.padStart(12)}${'mean size'.padStart(12)}${'max size'.padStart(12)}`,
		...rows,
		'',
	].join('\n');
}
