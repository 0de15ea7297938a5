import {describe, expect, it} from 'vitest';
import type {FetchedTile} from '../../source/engine/fetch/fetch-tiles.js';
import {makePlan, type Plan, type Tile} from '../../source/engine/geo/plan.js';
import {memberTile, type MemberTile} from '../../source/engine/infer/member-tile.js';
import {ModelWorker} from '../../source/engine/infer/model-worker.js';
import type {InputSpec, TileRequest} from '../../source/engine/infer/protocol.js';
import {shareTile} from '../../source/engine/infer/shared-tile.js';
import {WindowCache} from '../../source/engine/infer/window-cache.js';
import {gridWindows, windowGrid, type WindowGrid} from '../../source/engine/infer/windows.js';
import {ContextAssembler, tileRect, type ContextImage} from '../../source/engine/pipeline/context-tiles.js';
import {tinyModel} from './helpers.js';

const tileSize = 24;

/** A rows × cols plan of 24-px tiles, without the tiles named in `skip` (outside the area). */
function plan(rows: number, cols: number, skip: string[] = []): Plan {
	const grid = makePlan({
		extent: {xmin: 0, ymin: 0, xmax: cols * tileSize, ymax: rows * tileSize, crs: 'EPSG:3857'},
		crs: 'EPSG:3857',
		cellSize: 1,
		tileSize,
		snap: {mode: 'anchor', alignToGrid: false},
		maxTiles: 1000,
	});
	return {...grid, tiles: grid.tiles.filter((tile) => !skip.includes(tile.id))};
}

/** Pixels that vary with their place in the area, heights that climb to the east, and some of both without data. */
function fetched(area: Plan, tile: Tile, withDsm: boolean): FetchedTile {
	const at = tileRect(area, tile);
	const rgb = new Uint8Array(at.width * at.height * 3);
	const nodataMask = new Uint8Array(at.width * at.height);
	const dsm = new Float32Array(at.width * at.height);
	for (let y = 0; y < at.height; y++)
		for (let x = 0; x < at.width; x++) {
			const [gx, gy] = [at.x + x, at.y + y];
			const i = y * at.width + x;
			for (let c = 0; c < 3; c++) rgb[i * 3 + c] = (gx * 37 + gy * 91 + c * 53) % 256;
			nodataMask[i] = gx >= 20 && gx < 30 && gy >= 26 && gy < 29 ? 1 : 0;
			dsm[i] = (gx + gy) % 17 === 0 ? -9999 : 100 + 2 * gx + ((gx * 7 + gy * 3) % 11);
		}
	const raster = {width: at.width, height: at.height, bbox: tile.bbox, epsg: 3857};
	return {
		tile,
		rgb: {...raster, bands: 3, data: rgb, nodataMask},
		...(withDsm && {dsm: {...raster, bands: 1, data: dsm, nodata: -9999}}),
		skipped: false,
	};
}

/** Every tile of the plan with its context, as the run's context stage hands them on. */
function contexts(area: Plan, grid: WindowGrid, withDsm: boolean): ContextImage[] {
	const assembler = new ContextAssembler({plan: area, tiles: area.tiles, grids: [grid]});
	return area.tiles.flatMap((tile) => assembler.add(fetched(area, tile, withDsm))).map((ready) => ready.withContext());
}

function request(image: ContextImage, id: number, grid: WindowGrid, overlap: number): TileRequest {
	const {width, height} = image.context.tile;
	const {tile, layout} = shareTile({id: `${id}`, ...image, outWidth: width, outHeight: height});
	const {context} = image;
	return {
		type: 'predict',
		id,
		tile,
		...layout,
		outWidth: width,
		outHeight: height,
		size: grid.size,
		overlap,
		context: {tile: context.tile, origin: context.origin},
	};
}

/** The windows' places on the area's grid, in the tile's window order. */
function windowKeys(image: ContextImage, grid: WindowGrid): string[] {
	const {tile, origin} = image.context;
	return gridWindows(grid, {...tile, x: origin.x + tile.x, y: origin.y + tile.y}).map(({x, y}) => `${x},${y}`);
}

const spec: InputSpec = {
	bands: ['R', 'G', 'B', 'DSM'],
	mean: [0.4, 0.5, 0.45, 0.2],
	std: [0.2, 0.25, 0.22, 0.3],
	dsm: {mode: 'ndsm', scale: 0.1, percentile: 2},
};
const overlap = 50;
const grid = windowGrid(16, overlap);
const plane = grid.size * grid.size;

/** A stand-in model: the first band plus the nDSM band, plus the window's mean green (what lies anywhere in it counts). */
function model(input: Float32Array, output: Float32Array): void {
	let green = 0;
	for (let i = 0; i < plane; i++) green += input[plane + i];
	for (let i = 0; i < plane; i++) output[i] = input[i] + input[3 * plane + i] + green / plane;
}

/**
 * Runs the tiles as the worker does: every tile taken first (so that tiles wait for windows others are to infer) when
 * `together`, else each done before the next comes; returns the probabilities and the inputs made.
 */
function runTiles(requests: TileRequest[], cache: WindowCache | undefined, together: boolean) {
	const input = new Float32Array(spec.bands.length * plane);
	const output = new Float32Array(plane);
	const results: Float32Array[] = [];
	let inputs = 0;
	const works: MemberTile[] = [];
	const pending = new Set<number>();
	const settle = () => {
		for (const index of pending)
			if (works[index].advance()) {
				results[index] = works[index].finish();
				pending.delete(index);
			}
	};
	const start = (index: number) => {
		works[index] = memberTile(spec, requests[index], 1, cache);
		pending.add(index);
	};
	const infer = (index: number) => {
		const work = works[index];
		for (let at = 0; at < work.inputs; at++) {
			work.input(at, input);
			model(input, output);
			work.output(at, output);
			output.fill(Number.NaN);
			inputs++;
			settle();
		}
		settle();
	};
	if (together) {
		requests.forEach((_, index) => start(index));
		requests.forEach((_, index) => infer(index));
	} else {
		requests.forEach((_, index) => {
			start(index);
			infer(index);
		});
	}
	expect(pending.size).toBe(0);
	return {results, inputs};
}

describe("sliding windows shared by an area's tiles (each inferred once)", () => {
	// 2 × 3 tiles of 24 px, the last of the second row outside the area; 16-px windows at a stride of 8.
	const area = plan(2, 3, ['r001_c002']);
	const images = contexts(area, grid, true);
	const requests = images.map((image, id) => request(image, id, grid, overlap));
	const keys = images.map((image) => windowKeys(image, grid));
	const distinct = new Set(keys.flat()).size;

	it('gives a window the same input from every tile it reaches into: at the edges, over nodata, with its own ground', () => {
		const inputs = new Map<string, Float32Array>();
		let shared = 0;
		images.forEach((image, id) => {
			const work = memberTile(spec, requests[id], 1);
			keys[id].forEach((key, index) => {
				const input = new Float32Array(spec.bands.length * plane);
				work.input(index, input);
				const before = inputs.get(key);
				if (before) {
					shared++;
					expect(Buffer.from(input.buffer)).toEqual(Buffer.from(before.buffer));
				} else {
					inputs.set(key, input);
				}
			});
		});
		// Windows across the area's edge (x -8), by the tile outside the area (x 40, y 16) and over the RGB's nodata
		// (x 16, y 16): in 2, 3 and 4 tiles.
		const tilesOf = (key: string) => keys.filter((tile) => tile.includes(key)).length;
		expect(['-8,16', '40,16', '16,16'].map(tilesOf)).toEqual([2, 3, 4]);
		expect(shared).toBe(keys.flat().length - distinct);
		expect(shared).toBeGreaterThan(10);
	});

	it('infers each window once and gives every tile the bytes it got inferring all its windows', () => {
		const alone = runTiles(requests, undefined, false);
		expect(alone.inputs).toBe(keys.flat().length);
		for (const together of [false, true]) {
			const cache = new WindowCache();
			const shared = runTiles(requests, cache, together);
			expect(shared.inputs).toBe(distinct);
			shared.results.forEach((probability, index) =>
				expect(Buffer.from(probability.buffer)).toEqual(Buffer.from(alone.results[index].buffer)),
			);
			// Every window has served every tile of the area it reaches into: none is held.
			expect(cache.size).toBe(0);
		}
	});

	it('keeps past its bound only windows a tile still waits for', () => {
		// Each tile done before the next comes: nothing is kept for the next, every window is inferred per tile.
		const one = new WindowCache(0);
		expect(runTiles(requests, one, false).inputs).toBe(keys.flat().length);
		expect(one.size).toBe(0);
		// Every tile taken first: each waits for the windows the others infer, which stay until it has them.
		const all = new WindowCache(0);
		expect(runTiles(requests, all, true).inputs).toBe(distinct);
		expect(all.size).toBe(0);
	});

	it('fails the tiles waiting for a window whose tile failed', () => {
		const cache = new WindowCache();
		const first = memberTile(spec, requests[0], 1, cache);
		const second = memberTile(spec, requests[1], 1, cache);
		expect(second.inputs).toBeLessThan(keys[1].length);
		first.abandon(new Error('the session failed'));
		expect(() => second.advance()).toThrow('the session failed');
		second.abandon(new Error('the session failed'));
		expect(cache.size).toBe(0);
	});

	it("runs a real model's session once per window of the area in its worker, with the same probabilities", async () => {
		// The tiny model's 64-px windows at a stride of 32 over 2 × 2 tiles of 24 px: most windows reach into several.
		const tiny = windowGrid(64, overlap);
		const tinyArea = plan(2, 2);
		const tinyImages = contexts(tinyArea, tiny, false);
		const tinyRequests = tinyImages.map((image, id) => request(image, id, tiny, overlap));
		const tinyKeys = tinyImages.map((image) => windowKeys(image, tiny));
		const predict = async (tiles: TileRequest[]) => {
			const started = await ModelWorker.start('tiny', {
				modelPath: tinyModel,
				providers: ['cpu'],
				intraOpThreads: 1,
				batchSize: 3,
				output: 'logits',
				planes: 1,
				input: {bands: ['R', 'G', 'B'], mean: [0.4, 0.4, 0.4], std: [0.2, 0.2, 0.2]},
			});
			if (!started.worker) throw new Error('the tiny model did not load');
			const {worker} = started;
			try {
				return await Promise.all(tiles.map(({type: _, id: __, ...tile}) => worker.predict(tile)));
			} finally {
				await worker.close();
			}
		};
		const together = await predict(tinyRequests);
		expect(together.reduce((sum, result) => sum + result.windows, 0)).toBe(new Set(tinyKeys.flat()).size);
		// The last tiles, whose windows the first inferred for them, each alone in a worker of its own.
		for (const index of [2, 3]) {
			const [alone] = await predict([tinyRequests[index]]);
			expect(alone.windows).toBe(tinyKeys[index].length);
			expect(Buffer.from(together[index].probability.buffer)).toEqual(Buffer.from(alone.probability.buffer));
		}
	});
});
