/**
 * The CRS code of a GeoTIFF from its GeoKeys. Files from GDAL carry an EPSG code; files from ArcGIS and
 * others often say "user-defined" (32767) and name the CRS in a citation instead, as a name
 * (`SIRGAS 2000 / UTM zone 25S`) or as Esri WKT (`ESRI PE String = PROJCS[...]`). GDAL identifies those
 * by name, and so do we.
 */
import {lookupCrsByName} from './crs-registry.js';

const userDefined = 32767;

type GeoKeys = Record<string, unknown>;

function listedCode(value: unknown): number | undefined {
	const code = Number(value);
	return Number.isInteger(code) && code > 0 && code !== userDefined ? code : undefined;
}

/** The code an Esri or OGC WKT 1 names: its own AUTHORITY, else the registry's entry of its name. */
function codeOfWkt(wkt: string): number | undefined {
	const authority = /AUTHORITY\["EPSG",\s*"?(\d+)"?\]\]\s*$/i.exec(wkt);
	if (authority) return Number(authority[1]);
	const name = /^\s*(?:PROJCS|GEOGCS)\["([^"]+)"/i.exec(wkt)?.[1];
	return name === undefined ? undefined : lookupCrsByName(name);
}

function codeOfCitation(citation: unknown): number | undefined {
	if (typeof citation !== 'string' || citation.trim() === '') return undefined;
	const pe = /ESRI PE String\s*=\s*(.+)$/is.exec(citation);
	if (pe) return codeOfWkt(pe[1]);
	// GDAL's own form for a geographic CRS: `GCS Name = SIRGAS 2000|Datum = ...|`.
	const gcsName = /GCS Name\s*=\s*([^|]+)/i.exec(citation)?.[1];
	return lookupCrsByName(gcsName ?? citation);
}

/** Throws an Error naming what the file says and how to fix it when no code can be found. */
export function crsCodeOfGeoKeys(geoKeys: GeoKeys): number {
	const projected = Number(geoKeys.GTModelTypeGeoKey) !== 2;
	const direct = listedCode(geoKeys.ProjectedCSTypeGeoKey) ?? listedCode(geoKeys.GeographicTypeGeoKey);
	if (direct !== undefined) return direct;
	const citations = projected
		? [geoKeys.PCSCitationGeoKey, geoKeys.GTCitationGeoKey]
		: [geoKeys.GeogCitationGeoKey, geoKeys.GTCitationGeoKey];
	for (const citation of citations) {
		const code = codeOfCitation(citation);
		if (code !== undefined) return code;
	}
	const named = citations.find((citation) => typeof citation === 'string' && citation.trim() !== '');
	throw new Error(
		`the GeoTIFF's CRS is user-defined${named ? ` ("${String(named).slice(0, 120)}")` : ''} and matches no EPSG or Esri code; assign its code, e.g. with \`gdal_edit.py -a_srs EPSG:XXXX\``,
	);
}
