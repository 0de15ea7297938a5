/**
 * Every EPSG code and Esri WKID, offline: Esri's projection-engine list (@esri/proj-codes), the list ArcGIS
 * itself resolves `wkid` and `latestWkid` from. Read on first use (about 15 MB of JSON), so commands that
 * stay in EPSG:4326 and EPSG:3857, which proj4 knows, never load it.
 */
import {createRequire} from 'node:module';

export type CrsRecord = {
	/** The code asked for, as Esri lists it. */
	wkid: number;
	/** The current code of the same CRS (an EPSG code where EPSG has one: 102719 → 2264). */
	latestWkid: number;
	name: string;
	/** Esri WKT 1. */
	wkt: string;
};

type PeList = Record<string, CrsRecord[]>;

let byCode: Map<number, CrsRecord> | undefined;

function index(): Map<number, CrsRecord> {
	if (byCode) return byCode;
	const require = createRequire(import.meta.url);
	const lists = [
		(require('@esri/proj-codes/pe_list_projcs.json') as PeList).ProjectedCoordinateSystems,
		(require('@esri/proj-codes/pe_list_geogcs.json') as PeList).GeographicCoordinateSystems,
	];
	const codes = new Map<number, CrsRecord>();
	// A code's own entry first; a deprecated code reached only through another entry's latestWkid second.
	for (const list of lists) for (const record of list) codes.set(record.wkid, record);
	for (const list of lists)
		for (const record of list) if (!codes.has(record.latestWkid)) codes.set(record.latestWkid, record);
	byCode = codes;
	return codes;
}

export function lookupCrs(code: number): CrsRecord | undefined {
	return index().get(code);
}
