/**
 * Issue 15, item 1: sliding mode over tiles equals sliding mode over the whole area as one image. The reference
 * is computed directly: the fetched tiles put together into one image, through the same members with the same
 * windows (the area's grid) and weights. Tiles of 128 px under 256-px windows: every context reaches two tiles out.
 */
import {mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {connectServices} from '../../source/app/embedded-service.js';
import {startRun} from '../../source/app/start-run.js';
import {loadPreset} from '../../source/config/presets.js';
import {probabilityBytes} from '../../source/engine/classes/threshold-byte.js';
import {fetchTiles, type FetchedTile} from '../../source/engine/fetch/fetch-tiles.js';
import {readGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {makePlan} from '../../source/engine/geo/plan.js';
import {openEnsemble} from '../../source/engine/infer/ensemble.js';
import type {Ensemble} from '../../source/engine/infer/types.js';
import {contextTiles, tileRect} from '../../source/engine/pipeline/context-tiles.js';
import type {RunEvent} from '../../source/engine/pipeline/events.js';
import {outputChecksums} from '../helpers/run-folder.js';
import {gridWindows, windowsWithoutContext, type Rect, type WindowGrid} from '../../source/engine/infer/windows.js';

const tempDir = (name: string) => mkdtempSync(path.join(os.tmpdir(), `deepmask-${name}-`));

/** 3 × 3 tiles of 128 px of the demo town, sliding mode. */
const preset = () =>
	loadPreset('demo', {
		extent: '1000250,6000150,1000442,6000342',
		set: ['tileSize=128', 'inference.mode=sliding', 'inference.batchSize=4'],
	});

type Whole = {width: number; height: number; probability: Float32Array; members: Float32Array[]};

describe('sliding mode over tiles', () => {
	const loaded = preset();
	const plan = makePlan(loaded.preset);
	const width = plan.cols * plan.tileSize;
	const height = plan.rows * plan.tileSize;
	let ensemble: Ensemble;
	let tiled: Map<string, {probability: Float32Array; members: Float32Array[]}>;
	let whole: Whole;
	/** The sliding run of the second test, for the resumed one to equal. */
	let cleanRun: string;

	beforeAll(async () => {
		expect([plan.rows, plan.cols]).toEqual([3, 3]);
		ensemble = await openEnsemble({models: loaded.preset.models, mode: 'sliding', provider: 'cpu', batchSize: 4});
		const services = await connectServices(loaded.preset);
		const fetched: FetchedTile[] = [];
		tiled = new Map();
		try {
			const stream = fetchTiles({
				plan,
				layers: loaded.preset.layers,
				runDir: tempDir('seamless-fetch'),
				concurrency: {downloads: 3, perHost: 3},
				urlRewrite: services.urlRewrite,
			});
			const kept = (async function* () {
				for await (const tile of stream) {
					fetched.push(tile);
					yield tile;
				}
			})();
			for await (const tile of contextTiles(kept, {plan, tiles: plan.tiles, grids: ensemble.grids})) {
				const prediction = await ensemble.predict({
					id: tile.tile.id,
					...tile.withContext(),
					outWidth: tile.tile.width,
					outHeight: tile.tile.height,
				});
				tiled.set(tile.tile.id, prediction);
			}
		} finally {
			await services.close();
		}
		// The reference: the tiles put together, inferred as one image (its own area, no context).
		const rgb = new Uint8Array(width * height * 3);
		const dsm = new Float32Array(width * height);
		for (const tile of fetched) {
			const at = tileRect(plan, tile.tile);
			for (let y = 0; y < at.height; y++) {
				const row = (at.y + y) * width + at.x;
				rgb.set(tile.rgb.data.subarray(y * at.width * 3, (y + 1) * at.width * 3), row * 3);
				dsm.set((tile.dsm!.data as Float32Array).subarray(y * at.width, (y + 1) * at.width), row);
			}
		}
		const prediction = await ensemble.predict({
			id: 'whole',
			rgb: {data: rgb, width, height},
			dsm: {data: dsm, width, height, nodata: -9999},
			outWidth: width,
			outHeight: height,
		});
		whole = {width, height, ...prediction};
	}, 120_000);

	afterAll(async () => {
		await ensemble?.close();
	});

	/** The whole-area plane's pixels of one tile. */
	const crop = (plane: Float32Array, id: string) => {
		const at = tileRect(
			plan,
			plan.tiles.find((tile) => tile.id === id)!,
		);
		const out = new Float32Array(at.width * at.height);
		for (let y = 0; y < at.height; y++)
			out.set(plane.subarray((at.y + y) * width + at.x, (at.y + y) * width + at.x + at.width), y * at.width);
		return out;
	};

	it('equals inference over the whole area as one image, for the ensemble and each member', () => {
		expect(tiled.size).toBe(9);
		let largest = 0;
		for (const [id, prediction] of tiled) {
			const planes = [prediction.probability, ...prediction.members];
			const reference = [whole.probability, ...whole.members];
			planes.forEach((plane, k) => {
				const expected = crop(reference[k], id);
				for (let i = 0; i < plane.length; i++) largest = Math.max(largest, Math.abs(plane[i] - expected[i]));
			});
		}
		expect(largest).toBeLessThanOrEqual(1e-4);
		// Not trivially: the scene has buildings in it, and the probabilities vary.
		expect(whole.probability.some((value) => value > 0.9)).toBe(true);
		expect(whole.probability.some((value) => value < 0.1)).toBe(true);
	});

	it('writes the same probabilities in a sliding run, its seams at the level of lines inside the tiles', async () => {
		const runDir = tempDir('seamless-run');
		cleanRun = runDir;
		const run = startRun({preset: loaded, runDir});
		const review = await run.review;
		await review.write();
		const {seams} = (
			JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8')) as {
				overall: {seams: {pairs: number; disagreement: number}};
			}
		).overall;
		for (const tile of plan.tiles) {
			const written = await readGeoTiffFile(path.join(runDir, 'prob', `${tile.id}.tif`));
			const expected = probabilityBytes(crop(whole.probability, tile.id));
			let off = 0;
			for (let i = 0; i < expected.length; i++) off = Math.max(off, Math.abs(written.data[i] - expected[i]));
			// 1e-4 apart can still round to neighbouring bytes.
			expect(off).toBeLessThanOrEqual(1);
		}
		// Each member infers each window of the area grid that reaches into a tile once, however many tiles it reaches
		// into; against each tile inferred alone.
		const count = (of: (rect: Rect, grid: WindowGrid) => number) =>
			plan.tiles.reduce(
				(sum, tile) => sum + ensemble.grids.reduce((inner, grid) => inner + of(tileRect(plan, tile), grid), 0),
				0,
			);
		const windows = ensemble.grids.reduce((sum, grid) => {
			const distinct = new Set(
				plan.tiles.flatMap((tile) => gridWindows(grid, tileRect(plan, tile)).map(({x, y}) => `${x},${y}`)),
			);
			return sum + distinct.size;
		}, 0);
		const alone = count((rect, grid) => windowsWithoutContext(rect.width, rect.height, grid));
		expect(alone).toBe(9 * 3);
		expect(windows).toBeLessThan(count((rect, grid) => gridWindows(grid, rect).length));
		expect(run.snapshot().sliding).toEqual({
			windows,
			extraWindows: windows - alone,
			tilePixels: 9 * 128 * 128,
			// Every tile's context: the tile plus the windows' reach around it, here beyond a neighbour on some sides.
			marginPixels: expect.any(Number) as number,
		});
		expect(run.snapshot().sliding!.marginPixels).toBeGreaterThan(9 * 3 * 128 * 128);
		expect(seams.pairs).toBe(12);
		// The interior level: the same statistic across lines through the middle of the tiles, on the sliding masks.
		const mosaic = new Uint8Array(width * height);
		for (const tile of plan.tiles) {
			const mask = await readGeoTiffFile(path.join(runDir, 'masks', `${tile.id}.tif`));
			const at = tileRect(plan, tile);
			for (let y = 0; y < at.height; y++)
				mosaic.set(mask.data.subarray(y * at.width, (y + 1) * at.width) as Uint8Array, (at.y + y) * width + at.x);
		}
		let pairs = 0;
		let disagreeing = 0;
		for (let line = plan.tileSize / 2; line < width - 1; line += plan.tileSize) {
			for (let k = 0; k < height; k++) {
				disagreeing += Number(mosaic[k * width + line] !== mosaic[k * width + line + 1]);
				disagreeing += Number(mosaic[line * width + k] !== mosaic[(line + 1) * width + k]);
				pairs += 2;
			}
		}
		const interior = disagreeing / pairs;
		// Resize mode on these tiles: 2.0 % at the seams, against 0.7 % (seams) and 0.9 % (inside) here.
		expect(interior).toBeGreaterThan(0);
		expect(seams.disagreement).toBeLessThan(1.5 * interior + 0.002);
	}, 120_000);

	it('resumes an interrupted sliding run to the same outputs, the context of tiles inferred again read from disk', async () => {
		const runDir = tempDir('seamless-resumed');
		const controller = new AbortController();
		const first = startRun({preset: loaded, runDir, signal: controller.signal});
		first.subscribe((event) => {
			if (event.type === 'tile-inferred') controller.abort();
		});
		await expect(first.review).rejects.toThrow();
		const events: RunEvent[] = [];
		const again = startRun({preset: loaded, runDir});
		again.subscribe((event) => events.push(event));
		await (await again.review).write();
		const inferred = events.filter((event) => event.type === 'tile-inferred');
		expect(inferred.filter((event) => event.skipped).length).toBeGreaterThan(0);
		expect(inferred.filter((event) => !event.skipped).length).toBeGreaterThan(0);
		expect(outputChecksums(runDir)).toEqual(outputChecksums(cleanRun));
	}, 120_000);
});
