/**
 * A GeoPackage (an SQLite file, read with sql.js): one of its feature layers (by name, or its only one),
 * the CRS from gpkg_spatial_ref_sys, the filter evaluated by its own SQLite, geometries from the
 * GeoPackage binary header + WKB (read by wkx).
 */
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import type {Database, SqlValue} from 'sql.js';
import wkx from 'wkx';
import {UserError} from '../../../errors.js';
import {checkFilter, filterError, quoteName} from '../attribute-filter.js';
import {featureName, type LayerCrs, type LayerGeometry, type ReadLayer} from '../layer.js';
import {crsFromWkt} from '../layer-crs.js';
import {sqlite} from '../sqlite.js';

type Row = Record<string, SqlValue>;

function rows(db: Database, sql: string, parameters: SqlValue[] = []): Row[] {
	const statement = db.prepare(sql, parameters);
	const result: Row[] = [];
	while (statement.step()) result.push(statement.getAsObject());
	statement.free();
	return result;
}

function layerOf(
	db: Database,
	file: string,
	layer: string | undefined,
): {table: string; column: string; srsId: number} {
	let layers: Row[];
	try {
		layers = rows(
			db,
			`SELECT c.table_name AS name, g.column_name AS column, g.srs_id AS srs FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name WHERE c.data_type = 'features' ORDER BY c.table_name`,
		);
	} catch (error) {
		throw new UserError(
			`the area ${file} is not a GeoPackage (${(error as Error).message}); give a .gpkg written by GDAL, QGIS or ArcGIS`,
		);
	}
	const names = layers.map((entry) => String(entry.name));
	const chosen = layer === undefined && layers.length === 1 ? layers[0] : layers.find((entry) => entry.name === layer);
	if (!chosen)
		throw new UserError(
			layer === undefined
				? `the area ${file} has ${layers.length === 0 ? 'no feature layer' : `${layers.length} feature layers (${names.join(', ')}); name one with --set area.layer=NAME`}`
				: `the area ${file} has no feature layer "${layer}"; its layers are ${names.join(', ') || '(none)'}`,
		);
	return {table: String(chosen.name), column: String(chosen.column), srsId: Number(chosen.srs)};
}

function crsOf(db: Database, file: string, srsId: number): LayerCrs {
	const [srs] = rows(
		db,
		'SELECT organization, organization_coordsys_id AS code, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?',
		[srsId],
	);
	const organization = String(srs?.organization ?? '').toUpperCase();
	if (srs && (organization === 'EPSG' || organization === 'ESRI') && Number(srs.code) > 0)
		return {crs: `${organization}:${Number(srs.code)}`};
	const definition = typeof srs?.definition === 'string' ? srs.definition.trim() : '';
	if (!srs || definition === '' || definition.toLowerCase() === 'undefined')
		throw new UserError(
			`the area ${file} has no CRS for its layer (srs_id ${srsId}); assign one, e.g. ogr2ogr -a_srs EPSG:<code> fixed.gpkg ${path.basename(file)}`,
		);
	return crsFromWkt(definition, `area:${path.basename(file)}`);
}

/** GeoPackage binary: "GP", version, flags (byte order, envelope kind, empty), srs_id, envelope, then WKB. */
function geometryOf(blob: SqlValue): LayerGeometry | null {
	if (!(blob instanceof Uint8Array) || blob.length < 8 || blob[0] !== 0x47 || blob[1] !== 0x50) return null;
	const flags = blob[3];
	if (flags & 0x10) return null;
	const envelopeBytes = [0, 32, 48, 48, 64][(flags >> 1) & 0x07] ?? 0;
	const wkb = Buffer.from(blob.buffer, blob.byteOffset + 8 + envelopeBytes, blob.length - 8 - envelopeBytes);
	return wkx.Geometry.parse(wkb).toGeoJSON() as LayerGeometry;
}

export async function readGeoPackage(file: string, layer?: string, where?: string): Promise<ReadLayer> {
	let bytes: Uint8Array;
	try {
		bytes = await readFile(file);
	} catch (error) {
		throw new UserError(
			`cannot read the area ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the path`,
		);
	}
	const SQL = await sqlite();
	const db = new SQL.Database(bytes);
	try {
		const {table, column, srsId} = layerOf(db, file, layer);
		const crs = crsOf(db, file, srsId);
		const label = `${file} (layer ${table})`;
		const all = rows(db, `SELECT * FROM ${quoteName(table)} ORDER BY rowid`);
		let selected = all;
		if (where !== undefined) {
			checkFilter(where);
			try {
				selected = rows(db, `SELECT * FROM ${quoteName(table)} WHERE (${where}) ORDER BY rowid`);
			} catch (error) {
				const fields = Object.keys(all[0] ?? {}).filter((field) => field !== column);
				throw filterError(where, label, (error as Error).message, fields);
			}
		}
		return {
			...crs,
			total: all.length,
			features: selected.map((row, index) => {
				const {[column]: blob, fid, ...properties} = row;
				return {name: featureName(Number(fid ?? index + 1), properties), geometry: geometryOf(blob)};
			}),
		};
	} finally {
		db.close();
	}
}
