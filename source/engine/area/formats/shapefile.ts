/**
 * A Shapefile: the .shp with its .dbf and .prj beside it, or all three in a .zip. The `shapefile` package
 * reads geometry and attributes (polygon rings sorted into outers and holes by orientation, as the format
 * defines); the .prj is required, since a Shapefile without one has no CRS.
 */
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {unzipSync} from 'fflate';
import {open} from 'shapefile';
import {UserError} from '../../../errors.js';
import {selectRows} from '../attribute-filter.js';
import {featureName, type LayerGeometry, type ReadLayer} from '../layer.js';
import {crsFromWkt} from '../layer-crs.js';

type Parts = {shp: Uint8Array; dbf?: Uint8Array; prj?: string; cpg?: string};

async function optional(file: string): Promise<Uint8Array | undefined> {
	try {
		return await readFile(file);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw error;
	}
}

/** The sidecar of `file` with extension `ext`, in either case (.prj or .PRJ). */
async function sidecar(file: string, ext: string): Promise<Uint8Array | undefined> {
	const stem = file.slice(0, -path.extname(file).length);
	return (await optional(`${stem}.${ext}`)) ?? (await optional(`${stem}.${ext.toUpperCase()}`));
}

async function filesParts(file: string): Promise<Parts> {
	let shp: Uint8Array;
	try {
		shp = await readFile(file);
	} catch (error) {
		throw new UserError(
			`cannot read the area ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the path`,
		);
	}
	const [dbf, prj, cpg] = await Promise.all([sidecar(file, 'dbf'), sidecar(file, 'prj'), sidecar(file, 'cpg')]);
	const text = (bytes?: Uint8Array) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);
	return {shp, dbf, prj: text(prj), cpg: text(cpg)};
}

async function zipParts(file: string): Promise<Parts> {
	let entries: Record<string, Uint8Array>;
	try {
		entries = unzipSync(await readFile(file));
	} catch (error) {
		throw new UserError(`cannot read the area ${file} as a zip (${(error as Error).message}); check the file`);
	}
	const shps = Object.keys(entries).filter((name) => /\.shp$/i.test(name) && !name.startsWith('__MACOSX/'));
	if (shps.length !== 1)
		throw new UserError(
			`the area ${file} holds ${shps.length === 0 ? 'no .shp' : `${shps.length} Shapefiles (${shps.join(', ')})`}; zip one Shapefile (.shp, .dbf, .prj) per file`,
		);
	const stem = shps[0].slice(0, -4).toLowerCase();
	const part = (ext: string) => Object.entries(entries).find(([name]) => name.toLowerCase() === `${stem}.${ext}`)?.[1];
	const text = (bytes?: Uint8Array) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);
	return {shp: entries[shps[0]], dbf: part('dbf'), prj: text(part('prj')), cpg: text(part('cpg'))};
}

export async function readShapefile(file: string, where?: string): Promise<ReadLayer> {
	const parts = /\.zip$/i.test(file) ? await zipParts(file) : await filesParts(file);
	if (parts.prj === undefined)
		throw new UserError(
			`the area ${file} has no .prj, so its coordinates have no CRS; put the .prj beside the .shp (or in the zip), or convert it with its CRS named: ogr2ogr -a_srs EPSG:<code> area.gpkg ${path.basename(file)}`,
		);
	const encoding = parts.cpg?.trim() || 'utf-8';
	const source = await open(parts.shp, parts.dbf, {encoding}).catch((error: unknown) => {
		throw new UserError(`cannot read the area ${file} as a Shapefile (${(error as Error).message}); check the file`);
	});
	const geometries: Array<LayerGeometry | null> = [];
	const properties: Array<Record<string, unknown>> = [];
	for (let result = await source.read(); !result.done; result = await source.read()) {
		geometries.push(result.value.geometry as LayerGeometry | null);
		properties.push((result.value.properties ?? {}) as Record<string, unknown>);
	}
	const selected =
		where === undefined ? geometries.map((_, index) => index) : await selectRows(properties, where, file);
	return {
		...crsFromWkt(parts.prj, `area:${path.basename(file)}`),
		total: geometries.length,
		features: selected.map((index) => ({name: featureName(index + 1, properties[index]), geometry: geometries[index]})),
	};
}
