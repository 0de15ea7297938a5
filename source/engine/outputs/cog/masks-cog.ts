/**
 * masks.tif: the mask tiles as one Cloud-Optimized GeoTIFF over the grid of masks.vrt (the plan's
 * adjusted extent, the mask size per tile), read one row of tiles at a time, so memory stays that of a
 * row of tiles however many rows the plan has. Where masks.vrt has no tile (skipped outside an area, or
 * not written) it has what GDAL reads there from masks.vrt: nodata with a clipping area, else 0.
 */
import path from 'node:path';
import {clipsToArea, outsideAreaValue} from '../../geo/area-clip.js';
import type {PaletteEntry} from '../../geo/georaster.js';
import {georeferencingTags, nodataTag, paletteTags, readGeoTiffFile} from '../../geo/geotiff.js';
import type {Plan, Tile} from '../../geo/plan.js';
import type {Size} from '../../geo/resize-nearest.js';
import {openStreamingCog} from '../../geo/streaming-cog.js';
import {TiffType} from '../../geo/tiff-writer.js';
import {exists} from '../../fs/exists.js';
import {maskFile, runFiles} from '../../run-folder/paths.js';

export type CogPlan = Pick<Plan, 'epsg' | 'rows' | 'cols' | 'adjusted' | 'tiles' | 'tileSize' | 'area'>;

/** Writes masks.tif from the mask tiles present in the run folder. Returns its path. */
export async function writeMasksCog(
	runDir: string,
	plan: CogPlan,
	palette: PaletteEntry[],
	maskSize?: Size,
	tileSize?: 256 | 512,
): Promise<string> {
	const size = maskSize ?? {width: plan.tileSize, height: plan.tileSize};
	const width = plan.cols * size.width;
	const height = plan.rows * size.height;
	const nodata = clipsToArea(plan) ? outsideAreaValue : undefined;
	const fill = nodata ?? 0;
	const file = path.join(runDir, runFiles.cog);
	const cog = await openStreamingCog(file, {
		width,
		height,
		tileSize,
		fill,
		imageTags: [...paletteTags(palette), ...(nodata === undefined ? [] : [nodataTag(nodata)])],
		fullResolutionTags: [
			{tag: 305, type: TiffType.ASCII, values: 'deepmask'},
			...georeferencingTags({width, height, bbox: plan.adjusted, epsg: plan.epsg}),
		],
	});
	try {
		const band = new Uint8Array(width * size.height);
		for (let row = 0; row < plan.rows; row++) {
			band.fill(fill);
			for (const tile of plan.tiles) if (tile.row === row) await placeTile(runDir, tile, size, band, width);
			await cog.writeRows(band);
		}
		await cog.close();
	} catch (error) {
		await cog.discard();
		throw error;
	}
	return file;
}

/** Copies the tile's mask, if written, into its place in the row of tiles `band`. */
async function placeTile(runDir: string, tile: Tile, size: Size, band: Uint8Array, width: number): Promise<void> {
	const source = maskFile(runDir, tile.id);
	if (!(await exists(source))) return;
	const mask = await readGeoTiffFile(source);
	if (mask.width !== size.width || mask.height !== size.height || mask.bands !== 1)
		throw new Error(
			`${source} is ${mask.width}×${mask.height}×${mask.bands}, not the ${size.width}×${size.height} mask of the run`,
		);
	const values = mask.data as Uint8Array;
	for (let y = 0; y < size.height; y++)
		band.set(values.subarray(y * size.width, (y + 1) * size.width), y * width + tile.col * size.width);
}
