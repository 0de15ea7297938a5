import {describe, expect, it} from 'vitest';
import type {FetchedTile} from '../../source/engine/fetch/fetch-tiles.js';
import {makePlan, type Plan, type Tile} from '../../source/engine/geo/plan.js';
import {ContextAssembler, contextNeighbours, tileRect} from '../../source/engine/pipeline/context-tiles.js';
import {windowGrid} from '../../source/engine/infer/windows.js';

/** A rows × cols plan of 16-px tiles. */
function plan(rows: number, cols: number): Plan {
	return makePlan({
		extent: {xmin: 0, ymin: 0, xmax: cols * 16, ymax: rows * 16, crs: 'EPSG:3857'},
		crs: 'EPSG:3857',
		cellSize: 1,
		tileSize: 16,
		snap: {mode: 'anchor', alignToGrid: false},
		maxTiles: 1000,
	});
}

/** A tile whose pixels say where they are: R, G = global x, y; the DSM = x + 1000 y; (7, 7) without data. */
function fetched(plan: Plan, tile: Tile): FetchedTile {
	const at = tileRect(plan, tile);
	const rgb = new Uint8Array(at.width * at.height * 3);
	const dsm = new Float32Array(at.width * at.height);
	for (let y = 0; y < at.height; y++)
		for (let x = 0; x < at.width; x++) {
			const i = y * at.width + x;
			rgb[i * 3] = at.x + x;
			rgb[i * 3 + 1] = at.y + y;
			dsm[i] = at.x + x + 1000 * (at.y + y);
		}
	dsm[7 * at.width + 7] = -9999;
	const raster = {width: at.width, height: at.height, bbox: tile.bbox, epsg: 3857};
	return {
		tile,
		rgb: {...raster, bands: 3, data: rgb},
		dsm: {...raster, bands: 1, data: dsm, nodata: -9999},
		skipped: false,
	};
}

describe('the context stage', () => {
	// 16-px windows, stride 8: a 16-px tile's context reaches 8 px into each neighbour.
	const grids = [windowGrid(16, 50)];

	it("assembles a tile's neighbours' pixels, with padding outside the plan", () => {
		const grid = plan(3, 3);
		const assembler = new ContextAssembler({plan: grid, tiles: grid.tiles, grids});
		const ready = grid.tiles
			.flatMap((tile) => assembler.add(fetched(grid, tile)))
			.sort((a, b) => a.tile.id.localeCompare(b.tile.id));
		expect(ready.map((tile) => tile.tile.id)).toEqual(grid.tiles.map((tile) => tile.id));
		const corner = ready[0].withContext();
		// Windows from -8 to 8 reach into [0, 16): the context is [-8, 24) on both axes.
		expect(corner.context.origin).toEqual({x: -8, y: -8});
		expect(corner.context.tile).toEqual({x: 8, y: 8, width: 16, height: 16});
		expect([corner.rgb.width, corner.rgb.height]).toEqual([32, 32]);
		const at = (x: number, y: number) => (y + 8) * 32 + x + 8;
		for (const [x, y] of [
			[0, 0],
			[20, 3],
			[22, 23],
			[3, 22],
		]) {
			expect(corner.context.outside?.[at(x, y)]).toBe(0);
			expect([corner.rgb.data[at(x, y) * 3], corner.rgb.data[at(x, y) * 3 + 1]]).toEqual([x, y]);
			expect(corner.dsm!.data[at(x, y)]).toBe(x + 1000 * y);
		}
		// The neighbour's missing sample stays missing; left of and above the plan is outside.
		expect(corner.dsm!.data[at(16 + 7, 7)]).toBeNaN();
		expect(corner.context.outside?.[at(-1, 5)]).toBe(1);
		expect(corner.context.outside?.[at(5, -8)]).toBe(1);
		expect(ready[0].marginPixels).toBe(32 * 32 - 16 * 16);
		// The centre tile's context lies inside the plan.
		expect(ready[4].withContext().context.outside).toBeUndefined();
	});

	it('hands a tile on once its neighbours have come, and releases tiles no later context needs', () => {
		const grid = plan(4, 3);
		const assembler = new ContextAssembler({plan: grid, tiles: grid.tiles, grids});
		const handedOn: string[][] = [];
		let mostHeld = 0;
		for (const tile of grid.tiles) {
			handedOn.push(assembler.add(fetched(grid, tile)).map((ready) => ready.tile.id));
			mostHeld = Math.max(mostHeld, assembler.heldTiles.length);
		}
		// Row 0 waits for row 1: r000_c000 needs r001_c001, the fifth tile fetched.
		expect(handedOn.slice(0, 4)).toEqual([[], [], [], []]);
		expect(handedOn[4]).toEqual(['r000_c000']);
		expect(handedOn.flat()).toHaveLength(12);
		// Never more than two rows and two tiles held; everything released at the end.
		expect(mostHeld).toBeLessThanOrEqual(2 * 3 + 2);
		expect(assembler.heldTiles).toEqual([]);
		expect(assembler.waitingTiles).toEqual([]);
	});

	it("treats tiles the plan skips as outside, and names a shard's neighbours in other shards", () => {
		const grid = plan(3, 3);
		const withHole = {...grid, tiles: grid.tiles.filter((tile) => tile.id !== 'r001_c001')};
		const assembler = new ContextAssembler({plan: withHole, tiles: withHole.tiles, grids});
		const ready = withHole.tiles.flatMap((tile) => assembler.add(fetched(withHole, tile)));
		const corner = ready[0].withContext();
		const at = (x: number, y: number) => (y + 8) * 32 + x + 8;
		expect(corner.context.outside?.[at(20, 20)]).toBe(1);
		expect(corner.context.outside?.[at(20, 3)]).toBe(0);
		const shard = grid.tiles.filter((tile) => tile.row === 0);
		expect(contextNeighbours(grid, shard, grids).map((tile) => tile.id)).toEqual([
			'r001_c000',
			'r001_c001',
			'r001_c002',
		]);
	});
});
