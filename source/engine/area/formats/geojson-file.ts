/** A GeoJSON file: a FeatureCollection, one Feature or a bare geometry; CRS84 unless a legacy `crs` member says otherwise. */
import {readFile} from 'node:fs/promises';
import {UserError} from '../../../errors.js';
import {selectRows} from '../attribute-filter.js';
import {featureName, type LayerGeometry, type ReadLayer} from '../layer.js';
import {geoJsonCrs} from '../layer-crs.js';

type GeoJsonFeature = {type: 'Feature'; properties?: Record<string, unknown> | null; geometry: LayerGeometry | null};

function featuresOf(document: Record<string, unknown>, file: string): GeoJsonFeature[] {
	if (document.type === 'FeatureCollection' && Array.isArray(document.features))
		return document.features as GeoJsonFeature[];
	if (document.type === 'Feature') return [document as unknown as GeoJsonFeature];
	if (typeof document.type === 'string' && 'coordinates' in document)
		return [{type: 'Feature', properties: {}, geometry: document as unknown as LayerGeometry}];
	throw new UserError(
		`${file} is not GeoJSON (no FeatureCollection, Feature or geometry at its top); give a GeoJSON file of the area's polygons`,
	);
}

export async function readGeoJsonFile(file: string, where?: string): Promise<ReadLayer> {
	let document: unknown;
	try {
		document = JSON.parse(await readFile(file, 'utf8'));
	} catch (error) {
		const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
		throw new UserError(`cannot read the area ${file} as GeoJSON (${reason}); check the path and the file`);
	}
	if (typeof document !== 'object' || document === null || Array.isArray(document))
		throw new UserError(
			`${file} is not GeoJSON (its top is not an object); give a GeoJSON file of the area's polygons`,
		);
	const record = document as Record<string, unknown>;
	const crs = geoJsonCrs(record.crs);
	if (!crs)
		throw new UserError(
			`the area ${file} names a CRS deepmask cannot read (${JSON.stringify(record.crs).slice(0, 120)}); write it in CRS84 (longitude, latitude) without a "crs" member, or name an EPSG code (urn:ogc:def:crs:EPSG::3857)`,
		);
	const features = featuresOf(record, file);
	const properties = features.map((feature) => feature.properties ?? {});
	const selected = where === undefined ? features.map((_, index) => index) : await selectRows(properties, where, file);
	return {
		...crs,
		total: features.length,
		features: selected.map((index) => ({
			name: featureName(index + 1, properties[index]),
			geometry: features[index].geometry,
		})),
	};
}
