/**
 * masks.geojson: the polygons of every mask tile, streamed tile by tile (in plan order, so the file
 * is the same however the tiles were produced) to a temporary file that is renamed when complete.
 * Coordinates are in the plan's CRS, named by a `crs` member that GDAL and QGIS honour.
 */
import {rename, rm} from 'node:fs/promises';
import path from 'node:path';
import {vectoriseClasses} from '../../masks/vectorise.js';
import type {ClassInfo} from '../../classes/class-config.js';
import {authorityCode} from '../../geo/crs.js';
import type {Plan} from '../../geo/plan.js';
import {readGeoTiffFile} from '../../geo/geotiff.js';
import {exists} from '../../fs/exists.js';
import {maskFile, runFiles} from '../../run-folder/paths.js';
import {openTemporary} from '../../fs/atomic.js';
import {storageError} from '../../fs/storage-errors.js';

export type GeoJsonOptions = {
	/** The classes that become polygons (not the background); with more than one, features carry the class id too. */
	classes: ClassInfo[];
	/** Douglas-Peucker tolerance in pixels of the mask tiles (default 1). */
	tolerance?: number;
};

/** Vectorises the mask tiles present in the run folder into masks.geojson. Returns its path and the feature count. */
export async function writeMasksGeoJson(
	runDir: string,
	plan: Pick<Plan, 'epsg' | 'tiles'>,
	options: GeoJsonOptions,
): Promise<{file: string; features: number}> {
	const file = path.join(runDir, runFiles.geojson);
	const {temporary, handle} = await openTemporary(file);
	let features = 0;
	const ids = options.classes.map((info) => info.id);
	const names = new Map(options.classes.map((info) => [info.id, info.name]));
	const classProperties = (id: number) =>
		ids.length === 1 ? {class: names.get(id)} : {class: names.get(id), classId: id};
	try {
		const {authority, code} = authorityCode(plan.epsg);
		const crs = {type: 'name', properties: {name: `urn:ogc:def:crs:${authority}::${code}`}};
		await handle.write(`{"type":"FeatureCollection","crs":${JSON.stringify(crs)},"features":[`);
		for (const tile of plan.tiles) {
			const source = maskFile(runDir, tile.id);
			if (!(await exists(source))) continue;
			const raster = await readGeoTiffFile(source);
			const values = raster.data instanceof Uint8Array ? raster.data : Uint8Array.from(raster.data);
			// Nodata (outside a clipping area) is no polygon.
			const mask = raster.nodata === undefined ? values : values.map((value) => (value === raster.nodata ? 0 : value));
			const polygons = vectoriseClasses(mask, raster.width, raster.height, raster.bbox, ids, {
				tolerance: options.tolerance,
			});
			let chunk = '';
			for (const polygon of polygons) {
				const feature = {
					type: 'Feature',
					properties: {tile: tile.id, area: polygon.area, ...classProperties(polygon.classId)},
					geometry: polygon.geometry,
				};
				chunk += `${features === 0 ? '\n' : ',\n'}${JSON.stringify(feature)}`;
				features++;
			}
			if (chunk) await handle.write(chunk);
		}
		await handle.write('\n]}\n');
		await handle.sync();
	} catch (error) {
		await handle.close();
		await rm(temporary, {force: true});
		throw storageError(error, file);
	}
	await handle.close();
	await rename(temporary, file);
	return {file, features};
}
