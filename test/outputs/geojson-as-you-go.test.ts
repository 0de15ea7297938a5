import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {classConfigOf, foregroundClasses} from '../../source/engine/classes/class-config.js';
import type {Tile} from '../../source/engine/geo/plan.js';
import {PolygonsAsYouGo} from '../../source/engine/outputs/geojson/as-you-go.js';
import {writeMasksGeoJson} from '../../source/engine/outputs/geojson/geojson.js';
import {openOutputs} from '../../source/engine/outputs/run-outputs.js';
import {scenePlan, sceneTile} from './scene.js';

const folders: string[] = [];
afterAll(() => folders.forEach((dir) => rmSync(dir, {recursive: true, force: true})));
const folder = () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-geojson-as-you-go-'));
	folders.push(dir);
	return dir;
};

const plan = scenePlan();
const classes = classConfigOf({'0': 'background', '1': 'building', '2': 'uncertain'});
const options = {classes: foregroundClasses(classes)};
const size = {width: plan.tileSize, height: plan.tileSize};
// Two classes, so each row of tiles is polygonised per class; buildings cross the seams between tiles.
const maskOf = (tile: Tile) => sceneTile(plan, tile).ensemble.map((p) => (p >= 128 ? 1 : p >= 100 ? 2 : 0));
// Out of plan order, as tiles finish in a run: a row waits for the row below before it is polygonised.
const scrambled = [plan.tiles[4], plan.tiles[1], plan.tiles[5], plan.tiles[0], plan.tiles[3], plan.tiles[2]];

/** masks.geojson as the run-wide step writes it from the mask files in `formats`' run, the tiles given as `each` says. */
async function written(asYouGo: boolean, maskSize?: typeof size, beforeFinalise?: (runDir: string) => void) {
	const runDir = folder();
	const outputs = openOutputs({runDir, plan, classes, maskSize, formats: ['masks', 'geojson'], asYouGo});
	for (const tile of scrambled) await outputs.writeTile({tile, mask: maskOf(tile), size});
	beforeFinalise?.(runDir);
	const {features} = await outputs.finalise({overall: {} as never, tiles: []});
	return {text: readFileSync(path.join(runDir, 'masks.geojson'), 'utf8'), features};
}

describe('masks.geojson polygonised as the tiles are written', () => {
	it('is the file made from the mask files, byte for byte, without reading them', async () => {
		const fromFiles = await written(false);
		expect(fromFiles.features).toBeGreaterThan(3);
		// The mask tiles gone before the run-wide step: only what was polygonised as they came can give the features.
		const asYouGo = await written(true, undefined, (runDir) => rmSync(path.join(runDir, 'masks'), {recursive: true}));
		expect(asYouGo).toEqual(fromFiles);
	});

	it('polygonises the masks at the written mask size', async () => {
		const half = {width: size.width / 2, height: size.height / 2};
		const fromFiles = await written(false, half);
		const asYouGo = await written(true, half, (runDir) => rmSync(path.join(runDir, 'masks'), {recursive: true}));
		expect(asYouGo).toEqual(fromFiles);
		expect(asYouGo.text).not.toEqual((await written(false)).text);
	});

	it('gives the work back to the mask files when a tile comes twice, one is missing or it holds too much', async () => {
		const fed = (tiles: Tile[], limit?: number) => {
			const polygons = new PolygonsAsYouGo(plan, options, limit);
			for (const tile of tiles) polygons.add(tile, maskOf(tile), size);
			return polygons.result();
		};
		const all = fed(scrambled);
		expect(all?.features).toBeGreaterThan(3);
		expect(fed([...scrambled, plan.tiles[2]])).toBeUndefined();
		expect(fed(scrambled.slice(0, -1))).toBeUndefined();
		expect(fed(scrambled, 3 * size.width * size.height)).toBeUndefined();
		// What it gives writes the same file as the mask files do.
		const runDir = folder();
		const outputs = openOutputs({runDir, plan, classes, formats: ['masks']});
		for (const tile of scrambled) await outputs.writeTile({tile, mask: maskOf(tile), size});
		const fromFiles = await writeMasksGeoJson(runDir, plan, options);
		const fromFilesText = readFileSync(fromFiles.file, 'utf8');
		await writeMasksGeoJson(runDir, plan, options, all);
		expect(readFileSync(fromFiles.file, 'utf8')).toBe(fromFilesText);
	});
});
