/**
 * A small ArcGIS FeatureServer over the demo town, `Demo/Areas/FeatureServer/0`: polygons to give deepmask
 * as an area (`--area URL`). Its layer description carries maxRecordCount and paging support; `query` takes
 * where (SQL over the attributes, evaluated by SQLite as a real server's database does), outFields,
 * returnGeometry, outSR (4326 or 3857), resultOffset and resultRecordCount, and answers f=json (Esri JSON,
 * in the layer's 3857) or f=geojson (always longitude, latitude, as ArcGIS writes GeoJSON). A where it
 * cannot evaluate is ArcGIS's 400 error.
 */
import initSqlJs from 'sql.js';
import proj4 from 'proj4';
import {DEMO_ORIGIN} from './layout.js';
import {ArcGisFault} from './export.js';

type Ring = Array<[number, number]>;
type AreaFeature = {attributes: {OBJECTID: number; NAME: string; KIND: string; POP: number}; rings: Ring[]};

export const areasService = {name: 'Demo/Areas', layer: 0, maxRecordCount: 2} as const;

const {x: X, y: Y} = DEMO_ORIGIN;

function box(xmin: number, ymin: number, xmax: number, ymax: number, clockwise = true): Ring {
	const ring: Ring = [
		[X + xmin, Y + ymin],
		[X + xmin, Y + ymax],
		[X + xmax, Y + ymax],
		[X + xmax, Y + ymin],
		[X + xmin, Y + ymin],
	];
	return clockwise ? ring : ring.reverse();
}

/** Esri rings: outer rings clockwise, holes counter-clockwise; coordinates in EPSG:3857. */
const features: AreaFeature[] = [
	{
		attributes: {OBJECTID: 1, NAME: 'Centre L', KIND: 'district', POP: 1200},
		rings: [
			[
				[X + 100, Y + 100],
				[X + 100, Y + 292],
				[X + 132, Y + 292],
				[X + 132, Y + 132],
				[X + 292, Y + 132],
				[X + 292, Y + 100],
				[X + 100, Y + 100],
			],
		],
	},
	{attributes: {OBJECTID: 2, NAME: 'Riverside', KIND: 'district', POP: 300}, rings: [box(400, 250, 600, 400)]},
	{
		attributes: {OBJECTID: 3, NAME: 'Park', KIND: 'park', POP: 0},
		rings: [box(150, 320, 350, 440), box(200, 350, 300, 410, false)],
	},
];

const fields = [
	{name: 'OBJECTID', type: 'esriFieldTypeOID', alias: 'OBJECTID'},
	{name: 'NAME', type: 'esriFieldTypeString', alias: 'Name', length: 64},
	{name: 'KIND', type: 'esriFieldTypeString', alias: 'Kind', length: 32},
	{name: 'POP', type: 'esriFieldTypeInteger', alias: 'Population'},
];

let database: Promise<import('sql.js').Database> | undefined;

function attributesTable(): Promise<import('sql.js').Database> {
	database ??= initSqlJs().then((SQL) => {
		const db = new SQL.Database();
		db.run('CREATE TABLE areas (OBJECTID INTEGER PRIMARY KEY, NAME TEXT, KIND TEXT, POP INTEGER)');
		for (const {attributes: a} of features)
			db.run('INSERT INTO areas VALUES (?, ?, ?, ?)', [a.OBJECTID, a.NAME, a.KIND, a.POP]);
		return db;
	});
	return database;
}

function invalidQuery(parameter: string): ArcGisFault {
	return new ArcGisFault(400, 'Cannot perform query. Invalid query parameters.', [
		`'${parameter}' parameter is invalid`,
	]);
}

async function selected(where: string): Promise<AreaFeature[]> {
	const db = await attributesTable();
	let ids: number[];
	try {
		if (where.includes(';')) throw new Error('one expression');
		const result = db.exec(`SELECT OBJECTID FROM areas WHERE (${where}) ORDER BY OBJECTID`);
		ids = (result[0]?.values ?? []).map((row) => Number(row[0]));
	} catch {
		throw invalidQuery('where');
	}
	return features.filter((feature) => ids.includes(feature.attributes.OBJECTID));
}

function layerInfo(): Record<string, unknown> {
	return {
		currentVersion: 10.91,
		id: areasService.layer,
		name: 'Areas',
		type: 'Feature Layer',
		description: 'Areas over the demo town, to run deepmask on a polygon (--area).',
		geometryType: 'esriGeometryPolygon',
		objectIdField: 'OBJECTID',
		displayField: 'NAME',
		fields,
		extent: {xmin: X, ymin: Y, xmax: X + 700, ymax: Y + 450, spatialReference: {wkid: 102100, latestWkid: 3857}},
		maxRecordCount: areasService.maxRecordCount,
		supportedQueryFormats: 'JSON, geoJSON',
		capabilities: 'Query',
		advancedQueryCapabilities: {supportsPagination: true, supportsOrderBy: true},
	};
}

function serviceInfo(): Record<string, unknown> {
	return {
		currentVersion: 10.91,
		serviceDescription: 'Areas over the demo town.',
		maxRecordCount: areasService.maxRecordCount,
		capabilities: 'Query',
		spatialReference: {wkid: 102100, latestWkid: 3857},
		layers: [{id: areasService.layer, name: 'Areas', geometryType: 'esriGeometryPolygon'}],
		tables: [],
	};
}

function count(params: Map<string, string>, name: string, fallback: number): number {
	const text = params.get(name);
	if (text === undefined || text === '') return fallback;
	if (!/^\d{1,9}$/.test(text)) throw invalidQuery(name);
	return Number(text);
}

function outFields(params: Map<string, string>): string[] {
	const text = params.get('outfields') ?? '';
	if (text === '') return ['OBJECTID'];
	if (text.trim() === '*') return fields.map((field) => field.name);
	const names = text.split(',').map((name) => name.trim());
	for (const name of names)
		if (!fields.some((field) => field.name.toLowerCase() === name.toLowerCase())) throw invalidQuery('outFields');
	return fields
		.map((field) => field.name)
		.filter((name) => names.some((asked) => asked.toLowerCase() === name.toLowerCase()));
}

async function query(params: Map<string, string>): Promise<unknown> {
	const f = (params.get('f') ?? 'html').toLowerCase();
	if (f !== 'json' && f !== 'pjson' && f !== 'geojson') throw invalidQuery('f');
	const where = params.get('where');
	if (where === undefined || where.trim() === '') throw invalidQuery('where');
	const outSR = params.get('outsr') ?? '';
	if (!['', '4326', '3857', '102100'].includes(outSR)) throw invalidQuery('outSR');
	const offset = count(params, 'resultoffset', 0);
	const pageSize = Math.min(
		count(params, 'resultrecordcount', areasService.maxRecordCount),
		areasService.maxRecordCount,
	);
	const matching = await selected(where);
	const page = matching.slice(offset, offset + pageSize);
	const exceeded = offset + page.length < matching.length;
	const names = outFields(params);
	const withGeometry = (params.get('returngeometry') ?? 'true').toLowerCase() !== 'false';
	const attributes = (feature: AreaFeature) =>
		Object.fromEntries(names.map((name) => [name, feature.attributes[name as keyof AreaFeature['attributes']]]));
	if (f === 'geojson') {
		const toLonLat = (ring: Ring) => [...ring].reverse().map((point) => proj4('EPSG:3857', 'EPSG:4326', point));
		return {
			type: 'FeatureCollection',
			...(exceeded && {exceededTransferLimit: true}),
			features: page.map((feature) => ({
				type: 'Feature',
				id: feature.attributes.OBJECTID,
				// GeoJSON rings run the other way (RFC 7946: outer counter-clockwise).
				geometry: withGeometry ? {type: 'Polygon', coordinates: feature.rings.map(toLonLat)} : null,
				properties: attributes(feature),
			})),
		};
	}
	const lonLat = outSR === '4326';
	return {
		objectIdFieldName: 'OBJECTID',
		geometryType: 'esriGeometryPolygon',
		spatialReference: lonLat ? {wkid: 4326, latestWkid: 4326} : {wkid: 102100, latestWkid: 3857},
		fields: fields.filter((field) => names.includes(field.name)),
		...(exceeded && {exceededTransferLimit: true}),
		features: page.map((feature) => ({
			attributes: attributes(feature),
			...(withGeometry && {
				geometry: {
					rings: lonLat
						? feature.rings.map((ring) => ring.map((point) => proj4('EPSG:3857', 'EPSG:4326', point)))
						: feature.rings,
				},
			}),
		})),
	};
}

/**
 * The answer for `rest` (the path below /arcgis/rest/services/) when it is the feature service's: its
 * description, its layer's, or a query; undefined when the path is not the feature service's.
 */
export async function featureServiceAnswer(rest: string, params: Map<string, string>): Promise<unknown> {
	const match = /^(.+)\/FeatureServer(?:\/(\d+)(?:\/([^/]+))?)?$/.exec(rest);
	if (!match || match[1] !== areasService.name) return undefined;
	const [, , layer, operation] = match;
	if (layer === undefined) return serviceInfo();
	if (Number(layer) !== areasService.layer)
		return new ArcGisFault(400, 'Invalid or missing input parameters.', [`Layer ${layer} does not exist.`]).toJSON();
	if (operation === undefined) return layerInfo();
	if (operation.toLowerCase() !== 'query')
		return new ArcGisFault(400, 'Unable to complete operation.', [
			`'${operation}' is not an operation of a feature layer.`,
		]).toJSON();
	try {
		return await query(params);
	} catch (error) {
		if (error instanceof ArcGisFault) return error.toJSON();
		throw error;
	}
}
