/** The service root `?f=json`: what the client must know before asking for pixels. */
import type {Bbox} from '../../geo/georaster.js';

export type ServiceKind = 'ImageServer' | 'MapServer';

export type ServiceInfo = {
	kind: ServiceKind;
	name?: string;
	capabilities: string[];
	maxImageWidth: number;
	maxImageHeight: number;
	/** ImageServer only: U8, F32, ... */
	pixelType?: string;
	bandCount?: number;
	/** The service's own CRS (102100 read as 3857). */
	epsg?: number;
	extent?: Bbox;
	/** MapServer `supportedImageFormatTypes`, upper case. */
	imageFormats: string[];
	/** ImageServer: one name per band (`Blue`, `Green`, `Red`, `NearInfrared`). */
	bandNames: string[];
	/** ImageServer: the value of pixels without data. */
	noDataValue?: number;
	/** ImageServer: per-band statistics, when published. */
	minValues?: number[];
	maxValues?: number[];
	/** ImageServer: the native cell size in the service's CRS units (pixelSizeX). */
	pixelSize?: number;
	/** A hosted tile layer or cached-only service: `/tile/{level}/{row}/{col}` and no export. */
	tilesOnly: boolean;
};

/** Servers before 10.1 publish no limits; the ArcGIS Server default is 2048 px a side. */
const defaultMaxImageSize = 2048;

const esriWebMercator = new Set([102100, 102113, 900913]);

export function normalizeWkid(wkid: number): number {
	return esriWebMercator.has(wkid) ? 3857 : wkid;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInteger(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

function wkidOf(spatialReference: unknown): number | undefined {
	if (!isObject(spatialReference)) return undefined;
	const wkid = positiveInteger(spatialReference.latestWkid) ?? positiveInteger(spatialReference.wkid);
	return wkid === undefined ? undefined : normalizeWkid(wkid);
}

function bboxOf(extent: unknown): Bbox | undefined {
	if (!isObject(extent)) return undefined;
	const {xmin, ymin, xmax, ymax} = extent;
	if (![xmin, ymin, xmax, ymax].every((value) => typeof value === 'number' && Number.isFinite(value))) return undefined;
	return {xmin: xmin as number, ymin: ymin as number, xmax: xmax as number, ymax: ymax as number};
}

function numbersOf(value: unknown): number[] | undefined {
	return Array.isArray(value) &&
		value.length > 0 &&
		value.every((item) => typeof item === 'number' && Number.isFinite(item))
		? (value as number[])
		: undefined;
}

function listOf(text: unknown): string[] {
	return typeof text === 'string'
		? text
				.split(',')
				.map((item) => item.trim())
				.filter(Boolean)
		: [];
}

/** Throws a plain Error saying what is wrong; the caller names the layer and the URL. */
export function parseServiceInfo(kind: ServiceKind, json: unknown): ServiceInfo {
	if (!isObject(json)) throw new Error('the service description is not a JSON object');
	const capabilities = listOf(json.capabilities);
	const tilesOnly = capabilities.some((capability) => capability.toLowerCase() === 'tilesonly');
	const needed = kind === 'ImageServer' ? 'Image' : 'Map';
	if (!tilesOnly && !capabilities.some((capability) => capability.toLowerCase() === needed.toLowerCase())) {
		const found = capabilities.length > 0 ? capabilities.join(',') : 'none listed';
		throw new Error(
			`the ${kind} does not offer the "${needed}" capability (it has: ${found}), so it cannot export images`,
		);
	}
	const extent = json.fullExtent ?? json.extent ?? json.initialExtent;
	return {
		kind,
		name: typeof json.name === 'string' ? json.name : typeof json.mapName === 'string' ? json.mapName : undefined,
		capabilities,
		maxImageWidth: positiveInteger(json.maxImageWidth) ?? defaultMaxImageSize,
		maxImageHeight: positiveInteger(json.maxImageHeight) ?? defaultMaxImageSize,
		pixelType: typeof json.pixelType === 'string' ? json.pixelType : undefined,
		bandCount: positiveInteger(json.bandCount),
		epsg: wkidOf(json.spatialReference) ?? wkidOf(isObject(extent) ? extent.spatialReference : undefined),
		extent: bboxOf(extent),
		imageFormats: listOf(json.supportedImageFormatTypes).map((format) => format.toUpperCase()),
		bandNames: Array.isArray(json.bandNames) ? json.bandNames.map(String) : [],
		noDataValue:
			typeof json.noDataValue === 'number' && Number.isFinite(json.noDataValue) ? json.noDataValue : undefined,
		minValues: numbersOf(json.minValues),
		maxValues: numbersOf(json.maxValues),
		pixelSize: typeof json.pixelSizeX === 'number' && json.pixelSizeX > 0 ? json.pixelSizeX : undefined,
		tilesOnly,
	};
}
