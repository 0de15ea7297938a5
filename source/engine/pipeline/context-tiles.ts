/**
 * The stage between fetch and infer in sliding mode: each tile is handed on with its neighbours' pixels, as
 * far as the windows of the area's grid that reach into it cover them. Fetched tiles are held until every tile
 * whose context they are part of has been handed on, then released; the fetch runs row by row, so about two
 * rows of tiles are held at a time. Pixels beyond the plan's extent, or in tiles the plan skips, are outside
 * the area: padding, as past the edge of one whole image.
 */
import {isNodata} from '../infer/dsm.js';
import type {FetchedTile} from '../fetch/fetch-tiles.js';
import type {Plan, Tile} from '../geo/plan.js';
import type {PredictInput, TileContext} from '../infer/types.js';
import {contextRect, type Rect, type WindowGrid} from '../infer/windows.js';

/** A tile's image with its context, for the ensemble; the output size is the caller's. */
export type ContextImage = Pick<PredictInput, 'rgb' | 'dsm' | 'rgbNodata'> & {context: TileContext};

export type ContextTile = FetchedTile & {
	/** The tile with its context, assembled when asked (a tile whose probabilities are kept needs none). */
	withContext(): ContextImage;
	/** Pixels of the context that are not the tile's own (0 when the windows stay inside it). */
	marginPixels: number;
};

export type ContextOptions = {
	plan: Plan;
	/** The tiles to hand on (a shard's share); the stream brings them and every plan tile their context reaches. */
	tiles: Tile[];
	/** Each member's window grid. */
	grids: WindowGrid[];
};

/** The tile's pixels in the area (the plan grid's top-left pixel at 0, 0). */
export function tileRect(plan: Plan, tile: Tile): Rect {
	return {x: tile.col * plan.tileSize, y: tile.row * plan.tileSize, width: tile.width, height: tile.height};
}

/** The plan's tiles that the rectangle reaches into (tiles off the grid or skipped by the plan's area are none). */
export function planTilesIn(plan: Plan, rect: Rect, byCell: Map<string, Tile>): Tile[] {
	const first = (value: number) => Math.floor(value / plan.tileSize);
	const last = (value: number) => Math.floor((value - 1) / plan.tileSize);
	const found: Tile[] = [];
	for (let row = Math.max(0, first(rect.y)); row <= Math.min(plan.rows - 1, last(rect.y + rect.height)); row++) {
		for (let col = Math.max(0, first(rect.x)); col <= Math.min(plan.cols - 1, last(rect.x + rect.width)); col++) {
			const tile = byCell.get(`${row},${col}`);
			if (tile) found.push(tile);
		}
	}
	return found;
}

/** The plan tiles the given tiles' contexts reach that are not among them (a shard's neighbours in other shards). */
export function contextNeighbours(plan: Plan, tiles: Tile[], grids: WindowGrid[]): Tile[] {
	const byCell = cellIndex(plan);
	const own = new Set(tiles.map((tile) => tile.id));
	const neighbours = new Map<string, Tile>();
	for (const tile of tiles)
		for (const other of planTilesIn(plan, contextRect(grids, tileRect(plan, tile)), byCell))
			if (!own.has(other.id)) neighbours.set(other.id, other);
	return plan.tiles.filter((tile) => neighbours.has(tile.id));
}

function cellIndex(plan: Plan): Map<string, Tile> {
	return new Map(plan.tiles.map((tile) => [`${tile.row},${tile.col}`, tile]));
}

type Need = {tile: Tile; rect: Rect; parts: Tile[]};

/**
 * Takes fetched tiles in any order and hands on each of `options.tiles` once the tiles its context reaches have
 * come; a fetched tile is released once no tile still to come needs it. Tiles that no context needs are dropped.
 */
export class ContextAssembler {
	private readonly needs = new Map<string, Need>();
	/** How many tiles still to hand on need each plan tile. */
	private readonly users = new Map<string, number>();
	private readonly held = new Map<string, FetchedTile>();
	private readonly waiting: string[] = [];

	constructor(private readonly options: ContextOptions) {
		const {plan, grids} = options;
		const byCell = cellIndex(plan);
		for (const tile of options.tiles) {
			const rect = contextRect(grids, tileRect(plan, tile));
			const parts = planTilesIn(plan, rect, byCell);
			this.needs.set(tile.id, {tile, rect, parts});
			for (const part of parts) this.users.set(part.id, (this.users.get(part.id) ?? 0) + 1);
		}
	}

	/** The tiles whose context is complete now that `fetched` has come. */
	add(fetched: FetchedTile): ContextTile[] {
		const {id} = fetched.tile;
		if (!this.users.get(id)) return [];
		this.held.set(id, fetched);
		if (this.needs.has(id)) this.waiting.push(id);
		const ready: ContextTile[] = [];
		for (let i = 0; i < this.waiting.length;) {
			const need = this.needs.get(this.waiting[i])!;
			if (need.parts.every((part) => this.held.has(part.id))) {
				this.waiting.splice(i, 1);
				ready.push(this.handOn(need));
			} else {
				i++;
			}
		}
		return ready;
	}

	/** Fetched tiles held for contexts still to assemble. */
	get heldTiles(): string[] {
		return [...this.held.keys()];
	}

	/** Tiles fetched whose context is not complete yet. */
	get waitingTiles(): string[] {
		return [...this.waiting];
	}

	private handOn(need: Need): ContextTile {
		const own = this.held.get(need.tile.id)!;
		const parts = need.parts.map((part) => this.held.get(part.id)!);
		for (const part of need.parts) {
			const left = this.users.get(part.id)! - 1;
			this.users.set(part.id, left);
			if (left === 0) this.held.delete(part.id);
		}
		const {plan} = this.options;
		const area = tileRect(plan, need.tile);
		return {
			...own,
			withContext: () => assemble(plan, need.rect, area, parts),
			marginPixels: need.rect.width * need.rect.height - area.width * area.height,
		};
	}
}

/** The stream's tiles with their context (see ContextAssembler); fails if a context never completes. */
export async function* contextTiles(
	stream: AsyncIterable<FetchedTile>,
	options: ContextOptions,
): AsyncGenerator<ContextTile> {
	const assembler = new ContextAssembler(options);
	for await (const fetched of stream) yield* assembler.add(fetched);
	const incomplete = assembler.waitingTiles;
	if (incomplete.length > 0)
		throw new Error(
			`the context of tiles ${incomplete.join(', ')} never came from the fetch (a tile it reaches is missing)`,
		);
}

/** The context rectangle's pixels from the tiles that cover it; the rest is outside the area. */
function assemble(plan: Plan, rect: Rect, area: Rect, parts: FetchedTile[]): ContextImage {
	const pixels = rect.width * rect.height;
	const rgb = new Uint8Array(pixels * 3);
	const outside = new Uint8Array(pixels).fill(1);
	const hasDsm = parts.some((part) => part.dsm);
	const dsm = hasDsm ? new Float32Array(pixels).fill(Number.NaN) : undefined;
	const rgbNodata = parts.some((part) => part.rgb.nodataMask) ? new Uint8Array(pixels) : undefined;
	let inside = 0;
	for (const part of parts) {
		const from = tileRect(plan, part.tile);
		if (part.rgb.width !== from.width || part.rgb.height !== from.height)
			throw new Error(
				`tile ${part.tile.id}: its RGB is ${part.rgb.width}×${part.rgb.height}, not the plan's ${from.width}×${from.height}`,
			);
		const x0 = Math.max(rect.x, from.x);
		const x1 = Math.min(rect.x + rect.width, from.x + from.width);
		const y0 = Math.max(rect.y, from.y);
		const y1 = Math.min(rect.y + rect.height, from.y + from.height);
		const cols = x1 - x0;
		for (let y = y0; y < y1; y++) {
			const source = (y - from.y) * from.width + (x0 - from.x);
			const target = (y - rect.y) * rect.width + (x0 - rect.x);
			rgb.set(part.rgb.data.subarray(source * 3, (source + cols) * 3), target * 3);
			outside.fill(0, target, target + cols);
			if (rgbNodata && part.rgb.nodataMask) rgbNodata.set(part.rgb.nodataMask.subarray(source, source + cols), target);
			if (dsm && part.dsm) {
				const values = part.dsm.data as Float32Array;
				// The tiles' nodata values need not agree: missing samples become NaN, which every reader takes as missing.
				for (let x = 0; x < cols; x++) {
					const value = values[source + x];
					dsm[target + x] = isNodata(value, part.dsm.nodata) ? Number.NaN : value;
				}
			}
			inside += cols;
		}
	}
	const context: TileContext = {
		tile: {...area, x: area.x - rect.x, y: area.y - rect.y},
		origin: {x: rect.x, y: rect.y},
	};
	if (inside < pixels) context.outside = outside;
	return {
		rgb: {data: rgb, width: rect.width, height: rect.height},
		...(dsm && {dsm: {data: dsm, width: rect.width, height: rect.height}}),
		...(rgbNodata && {rgbNodata}),
		context,
	};
}
