import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {writeGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import type {Tile} from '../../source/engine/geo/plan.js';
import {probabilityRaster} from '../../source/engine/outputs/probability-raster.js';
import {ProbabilityCache} from '../../source/engine/pipeline/probability-cache.js';
import {restatTile} from '../../source/engine/pipeline/restat.js';
import {memberProbabilityFile, probabilityFile} from '../../source/engine/run-folder/paths.js';

const size = 18;
const tile: Tile = {
	id: 'r000_c000',
	row: 0,
	col: 0,
	bbox: {xmin: 0, ymin: 0, xmax: size, ymax: size},
	width: size,
	height: size,
};
const models = ['a', 'b'];
const runDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-restat-counts-'));
afterAll(() => rmSync(runDir, {recursive: true, force: true}));

let state = 11;
const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 24;
const plane = () => Uint8Array.from({length: size * size}, random);

/** Writes the ensemble's probabilities (when given) and the members'. */
async function writeProbabilities(ensemble: Uint8Array | undefined, members: Uint8Array[]): Promise<void> {
	const files = [
		...(ensemble ? [{file: probabilityFile(runDir, tile.id), data: ensemble}] : []),
		...models.map((model, k) => ({file: memberProbabilityFile(runDir, model, tile.id), data: members[k]})),
	];
	for (const {file, data} of files) {
		mkdirSync(path.dirname(file), {recursive: true});
		await writeGeoTiffFile(file, probabilityRaster(tile, 3857, data, {width: size, height: size}));
	}
}

describe('restatTile with a probability cache', () => {
	const postprocess = {minArea: 0, fillHoles: 0};
	const noNodata = async () => undefined;
	const corner = async () => Uint8Array.from({length: size * size}, (_, i) => (i < 40 ? 1 : 0));
	const restatAt = (threshold: number, nodata: () => Promise<Uint8Array | undefined>, cache?: ProbabilityCache) =>
		restatTile(runDir, tile, models, {threshold, postprocess, nodata, cache}).then((summary) => summary.stats);

	it('gives at every threshold what a restat without the cache gives, when the nodata or a member changes too', async () => {
		await writeProbabilities(plane(), [plane(), plane()]);
		const cache = new ProbabilityCache();
		for (const [threshold, nodata] of [
			[0.5, noNodata],
			[0.3, noNodata],
			[0.3, corner],
			[0.7, corner],
			[0.7, noNodata],
		] as const) {
			expect(await restatAt(threshold, nodata, cache)).toEqual(await restatAt(threshold, nodata));
		}
		// A member inferred again: the cache decodes its new file, the ensemble's stays.
		await writeProbabilities(undefined, [plane(), plane()]);
		expect(await restatAt(0.7, noNodata, cache)).toEqual(await restatAt(0.7, noNodata));
	});
});
