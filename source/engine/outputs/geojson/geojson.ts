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

export type MaskRow = {values: Uint8Array; width: number; tileHeight: number};

/**
 * Vectorises the mask tiles present in the run folder (a missing tile counts as background) into
 * masks.geojson, or writes the features polygonised beforehand from the same tiles (as-you-go.ts). Every
 * feature has its class, `area` (its pixels' area in map units²) and `tiles` (how many tiles it has pixels
 * in). Returns the file's path and the feature count.
 */
export async function writeMasksGeoJson(
	runDir: string,
	plan: MosaicPlan,
	options: GeoJsonOptions,
	polygonised?: {text: string[]; features: number},
): Promise<{file: string; features: number}> {
	const file = path.join(runDir, runFiles.geojson);
	const {temporary, handle} = await openTemporary(file);
	let features = polygonised?.features ?? 0;
	try {
		const {authority, code} = authorityCode(plan.epsg);
		const crs = {type: 'name', properties: {name: `urn:ogc:def:crs:${authority}::${code}`}};
		await handle.write(`{"type":"FeatureCollection","crs":${JSON.stringify(crs)},"features":[`);
		if (polygonised) {
			for (const text of polygonised.text) await handle.write(text);
		} else {
			const rows = maskRows(runDir, plan);
			const first = await rows.next();
			if (!first.done) {
				const mask = new MaskFeatures(plan, first.value, options);
				let current: MaskRow = first.value;
				for (;;) {
					const next = await rows.next();
					const text = mask.row(current, next.done ? undefined : next.value.values.subarray(0, current.width));
					if (text) await handle.write(text);
					if (next.done) break;
					current = next.value;
				}
				features = mask.count;
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

/** The features of masks.geojson as text, one row of tiles at a time, in plan order (the file's order). */
export class MaskFeatures {
	/** Features so far. */
	count = 0;
	private tileRow = 0;
	private readonly mosaics: MosaicPolygons[];
	private readonly cellArea: number;
	private readonly height: number;

	/** `first`: the mosaic's first row of tiles, which sizes it. */
	constructor(
		private readonly plan: MosaicPlan,
		first: Pick<MaskRow, 'width' | 'tileHeight'>,
		private readonly options: GeoJsonOptions,
	) {
		const {width, tileHeight} = first;
		this.height = tileHeight * plan.rows;
		const bbox = plan.adjusted;
		this.cellArea = ((bbox.xmax - bbox.xmin) / width) * ((bbox.ymax - bbox.ymin) / this.height);
		const tolerance = options.tolerance ?? 1;
		this.mosaics = options.classes.map(
			() => new MosaicPolygons(width, this.height, {tolerance, tileWidth: width / plan.cols}),
		);
	}

	/** The next row of tiles, with the first pixel row of the one below it (none for the last): its finished features. */
	row(current: MaskRow, below: Uint8Array | undefined): string {
		const {width, tileHeight} = current;
		const ids = this.options.classes.map((info) => info.id);
		let text = '';
		for (const [k, info] of this.options.classes.entries()) {
			const done = this.mosaics[k].addBand(
				ofClass(current.values, info.id),
				tileHeight,
				below && ofClass(below, info.id),
				this.tileRow,
			);
			for (const component of done) {
				const feature = {
					type: 'Feature',
					properties: {
						area: component.pixels * this.cellArea,
						tiles: component.tiles,
						...(ids.length === 1 ? {class: info.name} : {class: info.name, classId: info.id}),
					},
					geometry: maskGeometry(component.parts, this.plan.adjusted, width, this.height),
				};
				text += `${this.count === 0 ? '\n' : ',\n'}${JSON.stringify(feature)}`;
				this.count++;
			}
		}
		this.tileRow++;
		return text;
	}
}

/** 1 where `values` hold `id`, else 0 (a loop: TypedArray.map with a callback took a third of the polygonising). */
function ofClass(values: Uint8Array, id: number): Uint8Array {
	const band = new Uint8Array(values.length);
	for (let i = 0; i < values.length; i++) band[i] = values[i] === id ? 1 : 0;
	return band;
}

export type MosaicPlan = Pick<Plan, 'epsg' | 'tiles' | 'rows' | 'cols' | 'adjusted'>;

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

/** A row of tiles as one raster: each tile's values at its column, a missing tile background (0). */
export function assemble(
	rasters: Map<number, Uint8Array>,
	cols: number,
	size: {width: number; height: number},
): MaskRow {
	const width = cols * size.width;
	const values = new Uint8Array(width * size.height);
	for (const [col, raster] of rasters) {
		for (let y = 0; y < size.height; y++) {
			values.set(raster.subarray(y * size.width, (y + 1) * size.width), y * width + col * size.width);
		}
	}
	return {values, width, tileHeight: size.height};
}
