/** masks.vrt: a GDAL VRT mosaic of the mask tiles over the plan's adjusted extent. */
import path from 'node:path';
import {writeAtomic} from '../../fs/atomic.js';
import {exists} from '../../fs/exists.js';
import {clipsToArea, outsideAreaValue} from '../../geo/area-clip.js';
import {authorityCode} from '../../geo/crs.js';
import type {PaletteEntry} from '../../geo/georaster.js';
import type {Plan} from '../../geo/plan.js';
import type {Size} from '../../geo/resize-nearest.js';
import {maskFile, runFiles} from '../../run-folder/paths.js';

export type VrtPlan = Pick<Plan, 'epsg' | 'rows' | 'cols' | 'adjusted' | 'tiles' | 'tileSize' | 'area'>;

function escapeXml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The VRT text for the given tiles (those not listed stay empty, value 0), coloured by `palette` (entry 0
 * transparent); `categoryNames` (by value) are the legend GDAL and QGIS show.
 */
export function masksVrt(
	plan: VrtPlan,
	tileIds: ReadonlySet<string>,
	palette: PaletteEntry[],
	maskSize?: Size,
	categoryNames?: string[],
): string {
	const size = maskSize ?? {width: plan.tileSize, height: plan.tileSize};
	const width = plan.cols * size.width;
	const height = plan.rows * size.height;
	const {xmin, ymax, xmax, ymin} = plan.adjusted;
	const geoTransform = [xmin, (xmax - xmin) / width, 0, ymax, 0, -(ymax - ymin) / height];
	const colours = [
		'      <Entry c1="0" c2="0" c3="0" c4="0"/>',
		...palette.slice(1).map(([r, g, b]) => `      <Entry c1="${r}" c2="${g}" c3="${b}" c4="255"/>`),
	];
	const sources = plan.tiles
		.filter((tile) => tileIds.has(tile.id))
		.map((tile) => {
			const file = path.posix.join(runFiles.masksDir, `${tile.id}.tif`);
			return [
				'    <SimpleSource>',
				`      <SourceFilename relativeToVRT="1">${escapeXml(file)}</SourceFilename>`,
				'      <SourceBand>1</SourceBand>',
				`      <SrcRect xOff="0" yOff="0" xSize="${size.width}" ySize="${size.height}"/>`,
				`      <DstRect xOff="${tile.col * size.width}" yOff="${tile.row * size.height}" xSize="${size.width}" ySize="${size.height}"/>`,
				'    </SimpleSource>',
			].join('\n');
		});
	const crs = authorityCode(plan.epsg);
	return [
		`<VRTDataset rasterXSize="${width}" rasterYSize="${height}">`,
		`  <SRS>${crs.authority}:${crs.code}</SRS>`,
		`  <GeoTransform>${geoTransform.map((value) => value.toPrecision(17)).join(', ')}</GeoTransform>`,
		'  <VRTRasterBand dataType="Byte" band="1">',
		...(clipsToArea(plan) ? [`    <NoDataValue>${outsideAreaValue}</NoDataValue>`] : []),
		'    <ColorInterp>Palette</ColorInterp>',
		...(categoryNames
			? [
					'    <CategoryNames>',
					...categoryNames.map((name) => `      <Category>${escapeXml(name)}</Category>`),
					'    </CategoryNames>',
				]
			: []),
		'    <ColorTable>',
		...colours,
		'    </ColorTable>',
		...sources,
		'  </VRTRasterBand>',
		'</VRTDataset>',
		'',
	].join('\n');
}

/** Writes masks.vrt over every mask tile present in the run folder. Returns its path. */
export async function writeMasksVrt(
	runDir: string,
	plan: VrtPlan,
	palette: PaletteEntry[],
	maskSize?: Size,
	categoryNames?: string[],
): Promise<string> {
	const present = new Set<string>();
	for (const tile of plan.tiles) if (await exists(maskFile(runDir, tile.id))) present.add(tile.id);
	const file = path.join(runDir, runFiles.vrt);
	await writeAtomic(file, masksVrt(plan, present, palette, maskSize, categoryNames));
	return file;
}
