/**
 * The area of interest from a layer (DESIGN §3.1 `--area`): read by its format, filtered, its polygons
 * checked (a broken polygon is refused with its feature named) and oriented as RFC 7946 has them.
 */
import path from 'node:path';
import {kinks} from '@turf/kinks';
import type {AreaConfig, AreaFeatures, AreaPolygon} from '../../config/preset-schema.js';
import {UserError} from '../../errors.js';
import {readFeatureLayer} from '../sources/arcgis/feature-layer.js';
import {redact} from '../sources/redact.js';
import {readGeoJsonFile} from './formats/geojson-file.js';
import {readGeoPackage} from './formats/geopackage.js';
import {readShapefile} from './formats/shapefile.js';
import type {LayerFeature, ReadLayer} from './layer.js';
import {resolveAreaToken} from './token.js';

type Ring = Array<[number, number]>;

export type ReadAreaOptions = {
	signal?: AbortSignal;
	env?: NodeJS.ProcessEnv;
	/** Where a layer URL is fetched from (the embedded demo service); messages and plan.json keep the URL as given. */
	urlRewrite?: (url: string) => string;
};

function readLayer(area: AreaConfig, options: ReadAreaOptions): Promise<ReadLayer> {
	const {source, where, layer} = area;
	if (/^https?:\/\//i.test(source))
		return readFeatureLayer({
			url: source,
			fetchUrl: options.urlRewrite?.(source),
			where,
			token: resolveAreaToken(area, options.env),
			signal: options.signal,
		});
	const ext = path.extname(source).toLowerCase();
	if (ext === '.geojson' || ext === '.json') return readGeoJsonFile(source, where);
	if (ext === '.shp' || ext === '.zip') return readShapefile(source, where);
	if (ext === '.gpkg') return readGeoPackage(source, layer, where);
	throw new UserError(
		`the area ${source} is not a layer deepmask reads; give a .geojson, a .shp (or a .zip of one), a .gpkg or an ArcGIS FeatureServer/MapServer layer URL`,
	);
}

function label(area: AreaConfig): string {
	const parts = [redact(area.source)];
	if (area.layer) parts.push(`layer ${area.layer}`);
	if (area.where) parts.push(`where ${area.where}`);
	return parts.length === 1 ? parts[0] : `${parts[0]} (${parts.slice(1).join(', ')})`;
}

/** Twice the signed area: positive for counter-clockwise rings (x east, y north). */
function signedArea(ring: Ring): number {
	let sum = 0;
	for (let k = 0; k + 1 < ring.length; k++) sum += ring[k][0] * ring[k + 1][1] - ring[k + 1][0] * ring[k][1];
	return sum;
}

/** RFC 7946: the outer ring counter-clockwise, holes clockwise. */
function oriented(rings: Ring[]): Ring[] {
	return rings.map((ring, index) => (signedArea(ring) > 0 === (index === 0) ? ring : [...ring].reverse()));
}

function isPosition(value: unknown): value is [number, number] {
	return Array.isArray(value) && value.length >= 2 && Number.isFinite(value[0]) && Number.isFinite(value[1]);
}

function ringsOf(value: unknown): Ring[] | undefined {
	if (!Array.isArray(value) || value.length === 0) return undefined;
	const rings: Ring[] = [];
	for (const ring of value) {
		if (!Array.isArray(ring) || !ring.every(isPosition)) return undefined;
		rings.push(ring.map(([x, y]) => [x, y] as [number, number]));
	}
	return rings;
}

/** Even-odd: whether (x, y) lies inside the ring. */
function insideRing(ring: Ring, x: number, y: number): boolean {
	let inside = false;
	for (let k = 0, j = ring.length - 2; k < ring.length - 1; j = k++) {
		const [xk, yk] = ring[k];
		const [xj, yj] = ring[j];
		if (yk > y !== yj > y && x < ((xj - xk) * (y - yk)) / (yj - yk) + xk) inside = !inside;
	}
	return inside;
}

/** What makes the polygon invalid (OGC simple features), or undefined when it is valid. */
function polygonProblem(rings: Ring[]): string | undefined {
	for (const ring of rings) {
		const [first, last] = [ring[0], ring.at(-1)!];
		if (ring.length < 4 || first[0] !== last[0] || first[1] !== last[1])
			return 'a ring is not closed or has fewer than 4 points';
	}
	const crossing = kinks({type: 'Polygon', coordinates: rings}).features[0]?.geometry.coordinates;
	if (crossing)
		return `its boundary crosses itself at ${crossing.map((value) => Number(value.toPrecision(10))).join(', ')}`;
	if (signedArea(rings[0]) === 0) return 'its outer ring has no area';
	// Rings that do not cross: a hole is inside its polygon when any of its points is.
	const outside = rings.slice(1).findIndex((hole) => !hole.some(([x, y]) => insideRing(rings[0], x, y)));
	if (outside >= 0) return `its hole ${outside + 1} lies outside it`;
	return undefined;
}

function checkValid(feature: LayerFeature, rings: Ring[], where: string): void {
	const problem = polygonProblem(rings);
	if (problem === undefined) return;
	throw new UserError(
		`the area ${where}: ${feature.name} is not a valid polygon (${problem}); repair it (QGIS "Fix geometries", or ogr2ogr -makevalid fixed.gpkg <layer>) and run again`,
	);
}

function polygonsOf(feature: LayerFeature, where: string): AreaPolygon[] {
	const {geometry} = feature;
	if (geometry === null) return [];
	const parts =
		geometry.type === 'Polygon'
			? [geometry.coordinates]
			: geometry.type === 'MultiPolygon' && Array.isArray(geometry.coordinates)
				? (geometry.coordinates as unknown[])
				: undefined;
	if (!parts)
		throw new UserError(
			`the area ${where}: ${feature.name} is a ${geometry.type}, not a polygon; an area is made of polygons (give a polygon layer)`,
		);
	return parts.map((part) => {
		const rings = ringsOf(part);
		if (!rings) throw new UserError(`the area ${where}: ${feature.name} has malformed coordinates; check the layer`);
		checkValid(feature, rings, where);
		return {feature: feature.name, rings: oriented(rings)};
	});
}

export async function readArea(area: AreaConfig, options: ReadAreaOptions = {}): Promise<AreaFeatures> {
	const where = label(area);
	const layer = await readLayer(area, options);
	if (layer.features.length === 0) {
		const of = layer.total === undefined ? '' : ` of the ${layer.total} features`;
		throw new UserError(
			area.where === undefined || layer.total === 0
				? `the area ${where} holds no features; give a layer with the area's polygons`
				: `the area filter "${area.where}" selects none${of} of ${redact(area.source)}; check the field names and values`,
		);
	}
	const polygons = layer.features.flatMap((feature) => polygonsOf(feature, where));
	if (polygons.length === 0)
		throw new UserError(`the area ${where} has no polygon (its features have no geometry); check the layer`);
	return {label: where, crs: layer.crs, ...(layer.crsDefinition && {crsDefinition: layer.crsDefinition}), polygons};
}
