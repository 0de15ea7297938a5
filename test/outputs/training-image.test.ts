import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {encodeGeoTiff} from '../../source/engine/geo/geotiff.js';
import type {GeoRaster} from '../../source/engine/geo/georaster.js';
import type {Tile} from '../../source/engine/geo/plan.js';
import {writeTrainingChip} from '../../source/engine/outputs/training/training-chips.js';
import {tileFile} from '../../source/engine/run-folder/paths.js';
import {storeTile} from '../../source/engine/run-folder/tile-store.js';

const runDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-training-image-'));
afterAll(() => rmSync(runDir, {recursive: true, force: true}));

const size = {width: 24, height: 16};
const tile: Tile = {
	id: 'r000_c001',
	row: 0,
	col: 1,
	bbox: {xmin: 1012, ymin: 5000, xmax: 1024, ymax: 5008},
	...size,
};
const pixels = size.width * size.height;

function rgbTile(extra: Partial<GeoRaster> = {}): GeoRaster {
	const data = new Uint8Array(pixels * 3).map((_, index) => (index * 37) % 251);
	return {...size, bands: 3, data, bbox: {...tile.bbox}, epsg: 3857, ...extra};
}

/** The training image of `rgb`, written right after the tile was stored as a download is. */
async function trainingImage(rgb: GeoRaster): Promise<Uint8Array> {
	await storeTile(runDir, 'rgb', tile.id, rgb);
	const trainingDir = path.join(runDir, 'training');
	await writeTrainingChip(trainingDir, {
		tile,
		index: 1,
		epsg: 3857,
		rgb,
		label: new Uint8Array(pixels),
		size,
		classValues: [1],
	});
	return new Uint8Array(readFileSync(path.join(trainingDir, 'images', '000000000001.tif')));
}

describe('the training image of a stored RGB tile', () => {
	const image = (rgb: GeoRaster) => encodeGeoTiff({...size, bands: 3, data: rgb.data, bbox: tile.bbox, epsg: 3857});

	it('is the image encoded, the same bytes as the stored tile', async () => {
		const rgb = rgbTile();
		const written = await trainingImage(rgb);
		expect(written).toEqual(await image(rgb));
		expect(written).toEqual(new Uint8Array(readFileSync(path.join(runDir, tileFile('rgb', tile.id)))));
	});

	it('is encoded anew when the stored tile is another GeoTIFF (an alpha band, nodata)', async () => {
		const nodataMask = new Uint8Array(pixels).map((_, index) => (index % 7 === 0 ? 1 : 0));
		for (const rgb of [rgbTile({nodataMask}), rgbTile({nodata: 0})]) {
			const written = await trainingImage(rgb);
			expect(written).toEqual(await image(rgb));
			expect(written).not.toEqual(new Uint8Array(readFileSync(path.join(runDir, tileFile('rgb', tile.id)))));
		}
	});
});
