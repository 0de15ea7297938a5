/** masks/<tile>.tif: each tile's class ids with the classes' colour table, over the tile's bbox. */
import {clipsToArea, outsideAreaValue} from '../../geo/area-clip.js';
import {writeGeoTiffFile} from '../../geo/geotiff.js';
import {resizeNearest} from '../../geo/resize-nearest.js';
import {maskFile} from '../../run-folder/paths.js';
import type {OutputWriter} from '../output-writer.js';
import {maskPalette} from './mask-palette.js';

export const masksWriter: OutputWriter = {
	label: ({tiles} = {}) => (tiles === undefined ? 'mask tiles' : `${tiles} mask tiles`),
	async perTile({tile, mask, size}, run) {
		const outSize = run.maskSize ?? size;
		const file = maskFile(run.runDir, tile.id);
		await writeGeoTiffFile(file, {
			width: outSize.width,
			height: outSize.height,
			bands: 1,
			data: resizeNearest(mask, size, outSize),
			bbox: tile.bbox,
			epsg: run.plan.epsg,
			colorMap: maskPalette(run.classes),
			...(clipsToArea(run.plan) && {nodata: outsideAreaValue}),
		});
		return [file];
	},
};
