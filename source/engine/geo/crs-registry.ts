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
	/** Esri's name: `SIRGAS_2000_UTM_Zone_25S`. */
	name: string;
	/** Esri's name in words: `SIRGAS 2000 UTM zone 25S`. */
	description?: string;
	/** Esri WKT 1. */
	wkt: string;
	/** Who issued the code: `EPSG`, or `Esri` for Esri's own WKIDs (102003, …). */
	authority: 'EPSG' | 'Esri';
};

type PeList = Record<string, CrsRecord[]>;

let lists: CrsRecord[][] | undefined;
let byCode: Map<number, CrsRecord> | undefined;
let byName: Map<string, number | 'ambiguous'> | undefined;

function records(): CrsRecord[][] {
	if (lists) return lists;
	const require = createRequire(import.meta.url);
	lists = [
		(require('@esri/proj-codes/pe_list_projcs.json') as PeList).ProjectedCoordinateSystems,
		(require('@esri/proj-codes/pe_list_geogcs.json') as PeList).GeographicCoordinateSystems,
	];
	return lists;
}

function index(): Map<number, CrsRecord> {
	if (byCode) return byCode;
	const lists = records();
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

/**
 * Whether the CRS of `code` counts in degrees, from the registry: the same answer whatever proj4 has loaded. Here
 * rather than in crs.ts so that writing a GeoTIFF does not load proj4 (about 0.1 s of a command's start).
 */
export function isGeographicCode(code: number): boolean {
	if (code === 4326) return true;
	if (code === 3857) return false;
	return lookupCrs(code)?.wkt.startsWith('GEOGCS') ?? false;
}

/**
 * A name compared across spellings: EPSG's `ETRS89 / UTM zone 32N`, Esri's `ETRS_1989_UTM_Zone_32N` and
 * `ETRS 1989 UTM zone 32N` all read `etrs89utmzone32n` (case, punctuation and the century of 19xx dropped).
 */
export function crsNameKey(name: string): string {
	return name
		.toLowerCase()
		.replace(/(?<!\d)19(\d\d)(?!\d)/g, '$1')
		.replace(/[^a-z0-9]/g, '');
}

/** The current code of the CRS a name (EPSG's or Esri's) means, when exactly one CRS has it. */
export function lookupCrsByName(name: string): number | undefined {
	if (!byName) {
		byName = new Map();
		for (const list of records()) {
			for (const record of list) {
				for (const spelling of [record.name, record.description]) {
					if (!spelling) continue;
					const key = crsNameKey(spelling);
					const known = byName.get(key);
					byName.set(key, known === undefined || known === record.latestWkid ? record.latestWkid : 'ambiguous');
				}
			}
		}
	}
	const code = byName.get(crsNameKey(name));
	return code === 'ambiguous' ? undefined : code;
}
