/**
 * masks.geojson: one polygon per connected component of the whole mosaic of mask tiles (a building cut by
 * tile borders is one feature), streamed a row of tiles at a time (in plan order, so the file is the same
 * however the tiles were produced) to a temporary file that is renamed when complete. Memory holds two
 * rows of mask tiles and the components still open. Coordinates are in the plan's CRS, named by a `crs`
 * member that GDAL and QGIS honour.
 */
import {rename, rm} from 'node:fs/promises';
import path from 'node:path';
import {MosaicPolygons} from '../../masks/mosaic-polygons.js';
import {maskGeometry} from '../../masks/vectorise.js';
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

type MaskRow = {values: Uint8Array; width: number; tileHeight: number};

/**
 * Vectorises the mask tiles present in the run folder (a missing tile counts as background) into
 * masks.geojson. Every feature has its class, `area` (its pixels' area in map units²) and `tiles` (how
 * many tiles it has pixels in). Returns the file's path and the feature count.
 */
export async function writeMasksGeoJson(
	runDir: string,
	plan: MosaicPlan,
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
		const rows = maskRows(runDir, plan);
		const first = await rows.next();
		if (!first.done) {
			const {width, tileHeight} = first.value;
			const height = tileHeight * plan.rows;
			const tileWidth = width / plan.cols;
			const bbox = plan.adjusted;
			const cellArea = ((bbox.xmax - bbox.xmin) / width) * ((bbox.ymax - bbox.ymin) / height);
			const tolerance = options.tolerance ?? 1;
			const mosaics = ids.map(() => new MosaicPolygons(width, height, {tolerance, tileWidth}));
			let current: MaskRow = first.value;
			for (let tileRow = 0; ; tileRow++) {
				const next = await rows.next();
				const below = next.done ? undefined : next.value.values.subarray(0, width);
				let chunk = '';
				for (const [k, classId] of ids.entries()) {
					const ofClass = (values: Uint8Array) => values.map((value) => (value === classId ? 1 : 0));
					const done = mosaics[k].addBand(ofClass(current.values), tileHeight, below && ofClass(below), tileRow);
					for (const component of done) {
						const feature = {
							type: 'Feature',
							properties: {
								area: component.pixels * cellArea,
								tiles: component.tiles,
								...classProperties(classId),
							},
							geometry: maskGeometry(component.parts, bbox, width, height),
						};
						chunk += `${features === 0 ? '\n' : ',\n'}${JSON.stringify(feature)}`;
						features++;
					}
				}
				if (chunk) await handle.write(chunk);
				if (next.done) break;
				current = next.value;
			}
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

type MosaicPlan = Pick<Plan, 'epsg' | 'tiles' | 'rows' | 'cols' | 'adjusted'>;

/**
 * The mask tiles as rows of the mosaic: class ids, nodata (outside a clipping area) as 0. Yields nothing
 * when the run folder has no mask tile; a missing tile is background.
 */
async function* maskRows(runDir: string, {tiles, rows, cols}: MosaicPlan): AsyncGenerator<MaskRow> {
	let size: {width: number; height: number} | undefined;
	const pending: Array<{row: number; rasters: Map<number, Uint8Array>}> = [];
	for (let row = 0; row < rows; row++) {
		const rasters = new Map<number, Uint8Array>();
		for (const tile of tiles.filter((entry) => entry.row === row)) {
			const source = maskFile(runDir, tile.id);
			if (!(await exists(source))) continue;
			const raster = await readGeoTiffFile(source);
			if (size && (raster.width !== size.width || raster.height !== size.height)) {
				throw new Error(`${source} is ${raster.width}×${raster.height}, other mask tiles ${size.width}×${size.height}`);
			}
			size ??= {width: raster.width, height: raster.height};
			const values = raster.data instanceof Uint8Array ? raster.data : Uint8Array.from(raster.data);
			rasters.set(
				tile.col,
				raster.nodata === undefined ? values : values.map((value) => (value === raster.nodata ? 0 : value)),
			);
		}
		pending.push({row, rasters});
		if (!size) continue;
		// Rows before the first mask tile was found could not be sized until now.
		for (const entry of pending.splice(0)) yield assemble(entry.rasters, cols, size);
	}
}

function assemble(rasters: Map<number, Uint8Array>, cols: number, size: {width: number; height: number}): MaskRow {
	const width = cols * size.width;
	const values = new Uint8Array(width * size.height);
	for (const [col, raster] of rasters) {
		for (let y = 0; y < size.height; y++) {
			values.set(raster.subarray(y * size.width, (y + 1) * size.width), y * width + col * size.width);
		}
	}
	return {values, width, tileHeight: size.height};
}
