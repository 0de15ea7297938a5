/**
 * Writes demo-scene tiles as GeoTIFFs, to try `deepmask infer` and `deepmask eval --input/--labels`
 * without the image service: OUT/rgb/rRRR_cCCC.tif (3 × uint8), OUT/dsm/… (float32 metres),
 * OUT/truth/… (uint8 0/1 buildings; with --classes landcover the land-cover class ids 0 background,
 * 1 building, 2 road, 3 tree). Tiles are laid out as `deepmask eval --demo-extent` lays them.
 *
 * Usage: npx tsx models/tools/render-demo-tiles.ts OUT xmin,ymin,xmax,ymax [CELL=0.5] [TILE=512] [--classes landcover]
 */
import path from 'node:path';
import {renderScene, SCENE_EPSG} from '../../source/demo/scene.js';
import {writeGeoTiffFile} from '../../source/engine/geo/geotiff.js';

const args = process.argv.slice(2);
const classesAt = args.indexOf('--classes');
const truthLayer = classesAt >= 0 && args.splice(classesAt, 2)[1] === 'landcover' ? 'landcover' : 'buildings';
const [out, extentText, cellText = '0.5', tileText = '512'] = args;
if (!out || !extentText) {
	process.stderr.write('usage: render-demo-tiles.ts OUT xmin,ymin,xmax,ymax [CELL] [TILE]\n');
	process.exit(2);
}
const [xmin, ymin, xmax, ymax] = extentText.split(',').map(Number);
const cell = Number(cellText);
const tile = Number(tileText);
const span = tile * cell;
const columns = Math.ceil((xmax - xmin) / span - 1e-9);
const rows = Math.ceil((ymax - ymin) / span - 1e-9);
for (let row = 0; row < rows; row++) {
	for (let column = 0; column < columns; column++) {
		const bbox = {xmin: xmin + column * span, xmax: xmin + (column + 1) * span, ymax: ymax - row * span, ymin: ymax - (row + 1) * span};
		const scene = renderScene({bbox, width: tile, height: tile}, new Set(['rgb', 'dsm', truthLayer]));
		const name = `r${String(row).padStart(3, '0')}_c${String(column).padStart(3, '0')}.tif`;
		const base = {width: tile, height: tile, bbox, epsg: SCENE_EPSG};
		await writeGeoTiffFile(path.join(out, 'rgb', name), {...base, bands: 3, data: scene.rgb!});
		await writeGeoTiffFile(path.join(out, 'dsm', name), {...base, bands: 1, data: scene.dsm!, nodata: -9999});
		await writeGeoTiffFile(path.join(out, 'truth', name), {...base, bands: 1, data: scene[truthLayer]!});
	}
}
process.stderr.write(`${rows * columns} tiles in ${out}\n`);
