/**
 * RGB without data (issue 12): the unfinished survey's services have no imagery 190 m east of the centre,
 * the ImageServer answering its noDataValue, the MapServer drawing nothing. Those pixels are the run's
 * nodata: stored with the RGB tile, background in the masks, counted in the statistics, and the same on
 * a resumed run and in the review.
 */
import {mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {startRun} from '../../source/app/start-run.js';
import {loadPreset} from '../../source/config/presets.js';
import {readGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import type {RunEvent} from '../../source/engine/pipeline/events.js';

const serviceUrl = 'http://127.0.0.1:7070/arcgis/rest/services/Demo/UnfinishedSurvey';
/** Where the survey ends, in EPSG:3857 metres. */
const surveyEdgeX = 1_000_190;

/** A 2 × 2 grid of 128-px tiles whose eastern column crosses the survey's edge. */
function unfinishedSurvey(kind: 'ImageServer' | 'MapServer') {
	return loadPreset('demo', {
		extent: '1000100,6000100,1000220,6000220',
		set: ['tileSize=128', 'inference.batchSize=2', `layers.rgb.url=${serviceUrl}/${kind}`, `layers.rgb.kind=${kind}`],
	});
}

async function runToEnd(kind: 'ImageServer' | 'MapServer', runDir: string, events: RunEvent[] = []) {
	const run = startRun({preset: unfinishedSurvey(kind), runDir});
	run.subscribe((event) => events.push(event));
	const review = await run.review;
	await review.write();
	return {run, review};
}

function count(mask: ArrayLike<number>): number {
	let ones = 0;
	for (let i = 0; i < mask.length; i++) ones += mask[i] ? 1 : 0;
	return ones;
}

describe.each(['ImageServer', 'MapServer'] as const)('RGB without data from the %s', (kind) => {
	it('is nodata in the run: background in the masks, 0 in the probabilities, counted in stats.json, kept on resume', async () => {
		const runDir = mkdtempSync(path.join(os.tmpdir(), `deepmask-rgb-nodata-${kind}-`));
		const {run, review} = await runToEnd(kind, runDir);
		let missing = 0;
		for (const tile of run.plan.tiles) {
			const rgb = await readGeoTiffFile(path.join(runDir, 'tiles', 'rgb', `${tile.id}.tif`));
			const cell = (tile.bbox.xmax - tile.bbox.xmin) / tile.width;
			const expected = new Uint8Array(tile.width * tile.height).map((_, p) =>
				tile.bbox.xmin + ((p % tile.width) + 0.5) * cell >= surveyEdgeX ? 1 : 0,
			);
			if (count(expected) === 0) {
				expect(rgb.nodataMask, tile.id).toBeUndefined();
				continue;
			}
			// Part of the eastern tiles: the edge falls inside them.
			expect(count(expected)).toBeLessThan(expected.length);
			expect(rgb.nodataMask, tile.id).toEqual(expected);
			missing += count(expected);
			const [mask, probability] = await Promise.all([
				readGeoTiffFile(path.join(runDir, 'masks', `${tile.id}.tif`)),
				readGeoTiffFile(path.join(runDir, 'prob', `${tile.id}.tif`)),
			]);
			for (let p = 0; p < expected.length; p++) {
				if (!expected[p]) continue;
				expect(mask.data[p]).toBe(0);
				expect(probability.data[p]).toBe(0);
			}
		}
		expect(missing).toBeGreaterThan(0);
		const stats = JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8')) as {
			overall: {nodataPixels: number};
		};
		expect(stats.overall.nodataPixels).toBe(missing);
		// The review reads the nodata back from the stored tiles when the threshold moves.
		expect((await review.setThreshold(0.3)).overall.nodataPixels).toBe(missing);

		const again: RunEvent[] = [];
		const resumed = await runToEnd(kind, runDir, again);
		expect(again.filter((event) => event.type === 'model-tile')).toHaveLength(0);
		expect(resumed.review.stats().overall.nodataPixels).toBe(missing);
	});
});
