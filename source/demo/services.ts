/**
 * The services the local image service offers: the demo scene's layers and any GeoTIFF given to it,
 * each a pixel source plus the service description (`?f=json`) a real ArcGIS Server would give.
 */
import {stat} from 'node:fs/promises';
import path from 'node:path';
import {UserError} from '../errors.js';
import type {Bbox, GeoRaster} from '../engine/geo/georaster.js';
import {readGeoTiffFile} from '../engine/geo/geotiff.js';
import {gridPoints, samplePoints, type Interpolation} from '../engine/geo/resample.js';
import {DEMO_ORIGIN, renderScene, SCENE_EPSG, type SceneLayer} from './scene.js';
import {lv95Cache, nativeCache, tileInfoJson, webMercatorCache, type TileCacheDef} from './tiles.js';

export type PixelType = 'U8' | 'U16' | 'F32';

export type Rendered = {
	data: Uint8Array | Float32Array;
	/** 1 = data, 0 = none; absent: all data. */ valid?: Uint8Array;
};

export type PixelSource = {
	epsg: number;
	bands: number;
	pixelType: PixelType;
	nodata?: number;
	extent: Bbox;
	pixelSize: number;
	bandNames: string[];
	minValues: number[];
	maxValues: number[];
	serviceDataType: string;
	/** The pixels of a grid in the source's own CRS. */
	render(bbox: Bbox, width: number, height: number, interpolation: Interpolation): Rendered;
	/** The pixels at arbitrary points of the source's CRS, when the source can do that directly. */
	sample?(xs: Float64Array, ys: Float64Array, interpolation: Interpolation): Rendered;
};

type ServiceKind = 'ImageServer' | 'MapServer';

export type ServiceDef = {
	/** Path under /arcgis/rest/services, without the kind: `Demo/DSM`. */
	name: string;
	kind: ServiceKind;
	description: string;
	source: PixelSource;
	maxImageWidth: number;
	maxImageHeight: number;
	/** Larger requests fail with "500 Error exporting image", as USGS 3DEP does below its advertised limit. */
	failsAbove?: number;
	/** A hosted tile layer: `Map,TilesOnly,Tilemap`, a tile scheme and no export. */
	tilesOnly?: boolean;
	/** A cached service: its tiles at `tile/{level}/{row}/{col}` and its `tileInfo` in `?f=json`. */
	tileCache?: TileCacheDef;
	/** As servers before 10.1: the limits are enforced but not in the description. */
	unpublishedLimits?: boolean;
};

/** The demo services describe 20 × 20 km about the town; the scene itself goes on beyond. */
const demoHalfSize = 10_000;
export const demoExtent: Bbox = {
	xmin: DEMO_ORIGIN.x - demoHalfSize,
	ymin: DEMO_ORIGIN.y - demoHalfSize,
	xmax: DEMO_ORIGIN.x + demoHalfSize,
	ymax: DEMO_ORIGIN.y + demoHalfSize,
};

/** The scene's layers that services serve (the land-cover truth is for the recipe and eval only). */
function sceneSource(layer: Exclude<SceneLayer, 'landcover'>): PixelSource {
	const common = {epsg: SCENE_EPSG, extent: demoExtent, pixelSize: 0.5};
	const render = (bbox: Bbox, width: number, height: number): Rendered => ({
		data: renderScene({bbox, width, height}, new Set([layer]))[layer]!,
	});
	switch (layer) {
		case 'rgb':
			return {
				...common,
				bands: 3,
				pixelType: 'U8',
				bandNames: ['Red', 'Green', 'Blue'],
				minValues: [0, 0, 0],
				maxValues: [255, 255, 255],
				serviceDataType: 'esriImageServiceDataTypeRGB',
				render,
			};
		case 'dsm':
			return {
				...common,
				bands: 1,
				pixelType: 'F32',
				nodata: -9999,
				bandNames: ['Height'],
				minValues: [100],
				maxValues: [190],
				serviceDataType: 'esriImageServiceDataTypeElevation',
				render,
			};
		case 'buildings':
			return {
				...common,
				bands: 1,
				pixelType: 'U8',
				bandNames: ['Building'],
				minValues: [0],
				maxValues: [1],
				serviceDataType: 'esriImageServiceDataTypeThematic',
				render,
			};
	}
}

export function demoServices(): ServiceDef[] {
	const imagery = 'Aerial imagery (RGB, 0.5 m) of the procedural demo town.';
	return [
		{
			name: 'Demo/Imagery',
			kind: 'MapServer',
			description: `${imagery} Cached at its own 0.5 m (tile/{level}/{row}/{col}, PNG), and exported on demand.`,
			source: sceneSource('rgb'),
			maxImageWidth: 4096,
			maxImageHeight: 4096,
			tileCache: nativeCache(demoExtent),
		},
		{
			name: 'Demo/Imagery',
			kind: 'ImageServer',
			description: imagery,
			source: sceneSource('rgb'),
			maxImageWidth: 4096,
			maxImageHeight: 4096,
		},
		{
			name: 'Demo/DSM',
			kind: 'ImageServer',
			description: 'Digital surface model (float32 metres) of the demo town.',
			source: sceneSource('dsm'),
			maxImageWidth: 2000,
			maxImageHeight: 2000,
		},
		{
			name: 'Demo/Multispectral',
			kind: 'ImageServer',
			description:
				'Multispectral imagery (U16: Blue, Green, Red, NearInfrared, 11-bit values) of the demo town, band order as on real 4-band services.',
			source: multispectralSource(),
			maxImageWidth: 15_000,
			maxImageHeight: 4100,
		},
		{
			name: 'Demo/Elevation',
			kind: 'ImageServer',
			description:
				'The DSM again, as an elevation service that advertises 4000 px but fails larger than 600 px with "Error exporting image".',
			source: sceneSource('dsm'),
			maxImageWidth: 4000,
			maxImageHeight: 4000,
			failsAbove: 600,
		},
		{
			name: 'Demo/ElevationLegacy',
			kind: 'ImageServer',
			description: 'The DSM again, as a server before 10.1: no maxImageWidth/Height published, 2048 px enforced.',
			source: sceneSource('dsm'),
			maxImageWidth: 2048,
			maxImageHeight: 2048,
			unpublishedLimits: true,
		},
		{
			name: 'Demo/Basemap',
			kind: 'MapServer',
			description:
				"The imagery as a hosted tile layer in ArcGIS Online's Web Mercator scheme (JPEG): cached tiles only, no export.",
			source: sceneSource('rgb'),
			maxImageWidth: 4096,
			maxImageHeight: 4096,
			tilesOnly: true,
			tileCache: webMercatorCache(demoExtent, 'JPEG'),
		},
		{
			name: 'Demo/ImageryLV95',
			kind: 'MapServer',
			description:
				"The imagery as a hosted tile layer in Swiss LV95 (EPSG:2056) on swisstopo's origin: a tile cache in another projected CRS than the plan's.",
			source: sceneSource('rgb'),
			maxImageWidth: 4096,
			maxImageHeight: 4096,
			tilesOnly: true,
			tileCache: lv95Cache(demoExtent),
		},
		{
			name: 'Demo/UnfinishedSurvey',
			kind: 'ImageServer',
			description: `${imagery} The survey ends 190 m east of the centre: no data beyond.`,
			source: unfinishedSurveySource(),
			maxImageWidth: 4096,
			maxImageHeight: 4096,
		},
		{
			name: 'Demo/UnfinishedSurvey',
			kind: 'MapServer',
			description: `${imagery} The survey ends 190 m east of the centre: nothing drawn beyond.`,
			source: unfinishedSurveySource(),
			maxImageWidth: 4096,
			maxImageHeight: 4096,
		},
		{
			name: 'Demo/Buildings',
			kind: 'ImageServer',
			description: 'Building ground truth of the demo town: 1 building, 0 not.',
			source: sceneSource('buildings'),
			maxImageWidth: 4096,
			maxImageHeight: 4096,
		},
	];
}

/** Where the imagery of the unfinished survey ends: east of it the services have no data. */
const surveyEdgeX = DEMO_ORIGIN.x + 190;

/**
 * The RGB imagery up to the survey's eastern edge, as a service whose extent ends there: east of it an
 * ImageServer answers its noDataValue (0), a MapServer draws nothing (transparent where asked for).
 */
function unfinishedSurveySource(): PixelSource {
	const rgb = sceneSource('rgb');
	return {
		...rgb,
		extent: {...demoExtent, xmax: surveyEdgeX},
		nodata: 0,
		render(bbox, width, height, interpolation) {
			const {data} = rgb.render(bbox, width, height, interpolation);
			const valid = new Uint8Array(width * height);
			const cell = (bbox.xmax - bbox.xmin) / width;
			for (let col = 0; col < width; col++) {
				if (bbox.xmin + (col + 0.5) * cell >= surveyEdgeX) continue;
				for (let row = 0; row < height; row++) valid[row * width + col] = 1;
			}
			for (let p = 0; p < valid.length; p++) if (!valid[p]) data.fill(0, p * 3, p * 3 + 3);
			return {data, valid};
		},
	};
}

/** Bands of the multispectral service, scaled from 8 to 11 bits: the stretch by its statistics gives the RGB back. */
const multispectralScale = 8;
const multispectralMax = 255 * multispectralScale;

function multispectralSource(): PixelSource {
	return {
		epsg: SCENE_EPSG,
		extent: demoExtent,
		pixelSize: 0.5,
		bands: 4,
		pixelType: 'U16',
		bandNames: ['Blue', 'Green', 'Red', 'NearInfrared'],
		minValues: [0, 0, 0, 0],
		maxValues: [multispectralMax, multispectralMax, multispectralMax, multispectralMax],
		serviceDataType: 'esriImageServiceDataTypeGeneric',
		render(bbox, width, height) {
			const rgb = renderScene({bbox, width, height}, new Set(['rgb'])).rgb!;
			const data = new Float32Array(width * height * 4);
			for (let p = 0; p < width * height; p++) {
				const [red, green, blue] = [rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2]];
				data[p * 4] = blue * multispectralScale;
				data[p * 4 + 1] = green * multispectralScale;
				data[p * 4 + 2] = red * multispectralScale;
				// Vegetation is bright in the near infrared: green over red, a stand-in that is deterministic.
				data[p * 4 + 3] = Math.min(multispectralMax, Math.max(0, (2 * green - red + 255) * (multispectralScale / 2)));
			}
			return {data};
		},
	};
}

/** Node reads a file whole only up to 2 GiB; the service holds each raster in memory. */
const largestRaster = 2 ** 31 - 1;

/** Refuses (UserError naming the file and the fix) what cannot be read as one raster: a directory, a file over 2 GiB. */
async function checkRasterFile(file: string): Promise<void> {
	const stats = await stat(file);
	if (stats.isDirectory())
		throw new UserError(
			`--raster ${file} is a directory; give its GeoTIFFs, e.g. --raster ${path.join(file, '*.tif')}`,
		);
	if (stats.size > largestRaster)
		throw new UserError(
			`--raster ${file} is ${(stats.size / 2 ** 30).toFixed(1)} GiB; the local service reads a raster whole, at most 2 GiB: serve a part (gdal_translate -srcwin) or a coarser copy (gdal_translate -outsize 50% 50%)`,
		);
}

/** A GeoTIFF served in its own CRS as `<file stem>/ImageServer`. */
export async function rasterService(file: string): Promise<ServiceDef> {
	await checkRasterFile(file);
	const raster = await readGeoTiffFile(file);
	const name = path
		.basename(file)
		.replace(/\.tiff?$/i, '')
		.replace(/[^\w.-]+/g, '_');
	return {
		name,
		kind: 'ImageServer',
		description: `GeoTIFF ${path.basename(file)}`,
		source: rasterSource(raster),
		maxImageWidth: 4096,
		maxImageHeight: 4096,
	};
}

function rasterSource(raster: GeoRaster): PixelSource {
	const {minValues, maxValues} = bandRanges(raster);
	const sample = (xs: Float64Array, ys: Float64Array, interpolation: Interpolation): Rendered =>
		samplePoints(raster, xs, ys, interpolation);
	return {
		epsg: raster.epsg,
		bands: raster.bands,
		pixelType: raster.data instanceof Uint8Array ? 'U8' : 'F32',
		nodata: raster.nodata,
		extent: raster.bbox,
		pixelSize: (raster.bbox.xmax - raster.bbox.xmin) / raster.width,
		bandNames: Array.from({length: raster.bands}, (_, b) => `Band_${b + 1}`),
		minValues,
		maxValues,
		serviceDataType:
			raster.bands === 3 && raster.data instanceof Uint8Array
				? 'esriImageServiceDataTypeRGB'
				: 'esriImageServiceDataTypeGeneric',
		sample,
		render(bbox, width, height, interpolation) {
			const {xs, ys} = gridPoints(bbox, width, height);
			return sample(xs, ys, interpolation);
		},
	};
}

function bandRanges(raster: GeoRaster): {minValues: number[]; maxValues: number[]} {
	const minValues = new Array<number>(raster.bands).fill(Infinity);
	const maxValues = new Array<number>(raster.bands).fill(-Infinity);
	for (let p = 0; p < raster.width * raster.height; p++) {
		if (raster.nodata !== undefined && raster.data[p * raster.bands] === raster.nodata) continue;
		for (let b = 0; b < raster.bands; b++) {
			const value = raster.data[p * raster.bands + b];
			if (value < minValues[b]) minValues[b] = value;
			if (value > maxValues[b]) maxValues[b] = value;
		}
	}
	return {
		minValues: minValues.map((v) => (Number.isFinite(v) ? v : 0)),
		maxValues: maxValues.map((v) => (Number.isFinite(v) ? v : 0)),
	};
}

/** How ArcGIS writes a CRS: Web Mercator keeps its old Esri WKID with the EPSG code as latestWkid. */
export function spatialReferenceJson(epsg: number): {wkid: number; latestWkid: number} {
	return epsg === 3857 ? {wkid: 102100, latestWkid: 3857} : {wkid: epsg, latestWkid: epsg};
}

const currentVersion = 10.91;
const bytesPerPixel: Record<PixelType, number> = {U8: 1, U16: 2, F32: 4};

/** The ImageServer root `?f=json`, with the field set of a real ArcGIS Image Server (CharlotteLAS fixture order). */
export function imageServerInfo(service: ServiceDef): Record<string, unknown> {
	const {source} = service;
	const extent = {...source.extent, spatialReference: spatialReferenceJson(source.epsg)};
	const columns = Math.round((source.extent.xmax - source.extent.xmin) / source.pixelSize);
	const rows = Math.round((source.extent.ymax - source.extent.ymin) / source.pixelSize);
	return {
		currentVersion,
		serviceDescription: service.description,
		name: service.name,
		description: service.description,
		copyrightText: 'deepmask local image service',
		extent,
		initialExtent: extent,
		fullExtent: extent,
		hasMultidimensions: false,
		pixelSizeX: source.pixelSize,
		pixelSizeY: source.pixelSize,
		datasetFormat: source.sample ? 'TIFF' : 'AMD',
		uncompressedSize: columns * rows * source.bands * bytesPerPixel[source.pixelType],
		blockWidth: 2048,
		blockHeight: 256,
		compressionType: 'None',
		bandNames: source.bandNames,
		...(source.nodata === undefined ? {} : {noDataValue: source.nodata}),
		allowCopy: true,
		allowAnalysis: true,
		bandCount: source.bands,
		pixelType: source.pixelType,
		minPixelSize: 0,
		maxPixelSize: 0,
		serviceDataType: source.serviceDataType,
		serviceSourceType: source.sample ? 'esriImageServiceSourceTypeDataset' : 'esriImageServiceSourceTypeMosaicDataset',
		minValues: source.minValues,
		maxValues: source.maxValues,
		meanValues: [],
		stdvValues: [],
		objectIdField: '',
		fields: [],
		capabilities: 'Image,Metadata',
		defaultMosaicMethod: 'Northwest',
		allowedMosaicMethods: 'NorthWest,Center,LockRaster,ByAttribute,Nadir,Viewpoint,Seamline,None',
		sortField: '',
		sortValue: null,
		sortAscending: true,
		mosaicOperator: 'First',
		maxDownloadSizeLimit: 0,
		defaultCompressionQuality: 75,
		defaultResamplingMethod: 'Nearest',
		...(service.unpublishedLimits
			? {}
			: {maxImageHeight: service.maxImageHeight, maxImageWidth: service.maxImageWidth}),
		maxRecordCount: 1000,
		maxDownloadImageCount: 0,
		maxMosaicImageCount: 20,
		allowRasterFunction: false,
		rasterFunctionInfos: [{name: 'None', description: '', help: ''}],
		rasterTypeInfos: [],
		mensurationCapabilities: 'None',
		hasHistograms: false,
		hasColormap: false,
		hasRasterAttributeTable: false,
		minScale: 0,
		maxScale: 0,
		exportTilesAllowed: false,
		supportsStatistics: false,
		supportsAdvancedQueries: false,
		advancedQueryCapabilities: {
			useStandardizedQueries: true,
			supportsStatistics: false,
			supportsOrderBy: false,
			supportsDistinct: false,
			supportsPagination: false,
		},
		spatialReference: spatialReferenceJson(source.epsg),
	};
}

/** The formats the MapServer `export` of this emulator can write. */
const mapImageFormats = 'PNG32,PNG24,PNG,JPG,TIFF';

export function mapServerInfo(service: ServiceDef): Record<string, unknown> {
	const {source, tileCache} = service;
	// A cache in another CRS than the pixels' describes itself in the cache's CRS.
	const epsg = tileCache?.epsg ?? source.epsg;
	const extent = {...(tileCache?.extent ?? source.extent), spatialReference: spatialReferenceJson(epsg)};
	return {
		currentVersion,
		serviceDescription: service.description,
		mapName: 'Layers',
		description: service.description,
		copyrightText: 'deepmask local image service',
		supportsDynamicLayers: false,
		layers: [
			{
				id: 0,
				name: service.name.split('/').at(-1),
				parentLayerId: -1,
				defaultVisibility: true,
				subLayerIds: null,
				minScale: 0,
				maxScale: 0,
				type: 'Raster Layer',
			},
		],
		tables: [],
		spatialReference: spatialReferenceJson(epsg),
		singleFusedMapCache: tileCache !== undefined,
		...(tileCache ? {tileInfo: tileInfoJson(tileCache)} : {}),
		initialExtent: extent,
		fullExtent: extent,
		minScale: 0,
		maxScale: 0,
		units: epsg === 4326 ? 'esriDecimalDegrees' : 'esriMeters',
		supportedImageFormatTypes: mapImageFormats,
		documentInfo: {Title: service.name, Author: '', Comments: '', Subject: '', Category: '', Keywords: ''},
		capabilities: service.tilesOnly ? 'Map,TilesOnly,Tilemap' : 'Map,Query,Data',
		supportedQueryFormats: 'JSON, geoJSON, PBF',
		exportTilesAllowed: false,
		maxRecordCount: 2000,
		maxImageHeight: service.maxImageHeight,
		maxImageWidth: service.maxImageWidth,
		supportedExtensions: '',
	};
}
