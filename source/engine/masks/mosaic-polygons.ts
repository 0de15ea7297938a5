/**
 * Polygons of one class over a whole mosaic, streamed over bands of rows (a row of tiles at a time): one
 * polygon per 8-connected component of the mosaic, whatever tiles it crosses. Memory holds the band, one
 * row above and below it, and the components still open (those with pixels in the band's last row).
 *
 * The boundary edges are those of traceRings (trace.ts) on the whole mosaic, foreground on the left. A band
 * owns the edges that start on its vertex rows; with one row of context above and below, it knows every
 * edge at those vertices, so the turn taken at each (left first, as in traceRings) is the whole mosaic's.
 * A band's edges form closed rings and chains that leave it; chains are joined across bands by the edge
 * where one leaves and the next enters, and a ring is complete when its chains close.
 */
import {foregroundConnectivity, labelComponents} from './components.js';
import type {Points} from './ring-checks.js';
import {simplifiedRings} from './vectorise.js';

export type MosaicComponent = {
	/** Parts (edge-connected), each its outer ring then its holes, in mosaic vertex coordinates (x, y pairs, y down). */
	parts: Points[][];
	pixels: number;
	/** Tiles (of the band grid) the component has pixels in. */
	tiles: number;
};

export type MosaicPolygonsOptions = {
	/** Douglas-Peucker tolerance in pixels (0: keep every corner). */
	tolerance: number;
	/** Mosaic pixels per tile across, to count the tiles a component spans. */
	tileWidth: number;
};

type Chain = {entry: number; last: number; vertices: number[]; directions: number[]; part: number; component: number};
type Path = {entry: number; last: number; chains: Chain[]};
type Ring = {points: Int32Array; outer: boolean; part: number};
type Open = {pixels: number; tiles: Set<number>; first: number; rings: Ring[]};

// Directions in image coordinates: east, south, west, north.
const dx = [1, 0, -1, 0];
const dy = [0, 1, 0, -1];
// The pixel on an edge's left, relative to the edge's start vertex.
const leftX = [0, 0, -1, -1];
const leftY = [-1, 0, 0, -1];

class UnionFind {
	// Label 0 is the background.
	readonly parent: number[] = [0];
	add(): number {
		this.parent.push(this.parent.length);
		return this.parent.length - 1;
	}
	find(label: number): number {
		let root = label;
		while (this.parent[root] !== root) root = this.parent[root];
		while (this.parent[label] !== root) [this.parent[label], label] = [root, this.parent[label]];
		return root;
	}
	/** Joins two sets; the smaller label stays root. Returns [root, absorbed] or undefined when already one. */
	union(a: number, b: number): [number, number] | undefined {
		const rootA = this.find(a);
		const rootB = this.find(b);
		if (rootA === rootB) return undefined;
		const [root, absorbed] = rootA < rootB ? [rootA, rootB] : [rootB, rootA];
		this.parent[absorbed] = root;
		return [root, absorbed];
	}
}

export class MosaicPolygons {
	private readonly stride: number;
	private readonly components = new UnionFind();
	private readonly parts = new UnionFind();
	private readonly open = new Map<number, Open>();
	private readonly byEntry = new Map<number, Path>();
	private readonly byLast = new Map<number, Path>();
	/** Global labels of the last row of the band before (0: background), 8- and 4-connected. */
	private lastRow: {component: Int32Array; part: Int32Array} | undefined;
	private nextY = 0;

	constructor(
		private readonly width: number,
		private readonly height: number,
		private readonly options: MosaicPolygonsOptions,
	) {
		this.stride = width + 1;
	}

	/**
	 * The next band (0/1, `rows` rows of the mosaic width, from the top down), with the row just below it
	 * (undefined after the last band). Returns the components completed by this band, in the order of their
	 * first pixel.
	 */
	addBand(band: Uint8Array, rows: number, below: Uint8Array | undefined, tileRow: number): MosaicComponent[] {
		const {width} = this;
		const y0 = this.nextY;
		this.nextY += rows;
		const last = this.nextY === this.height;
		if (!last && !below) throw new Error('a band other than the last needs the row below it');

		const {component, part} = this.labelBand(band, rows, y0, tileRow);

		// Context rows: 0 is the row above the band, 1..rows the band, rows + 1 the row below it.
		const contextRows = rows + 2;
		const stride = this.stride;
		const context = this.contextOf(band, rows, below);
		// Every edge at the vertices (decides the turns); `remaining` loses the edges already walked.
		const edges = new Uint8Array(stride * (contextRows + 1));
		for (let r = 0; r < contextRows; r++) {
			// The context has a column of background on each side: x's pixel is at `at + x`.
			const at = r * stride + 1;
			for (let x = 0; x < width; x++) {
				if (!context[at + x]) continue;
				if (r > 0 && !context[at - stride + x]) edges[r * stride + x + 1] |= 1 << 2;
				if (r < contextRows - 1 && !context[at + stride + x]) edges[(r + 1) * stride + x] |= 1 << 0;
				if (!context[at + x - 1]) edges[r * stride + x] |= 1 << 1;
				if (!context[at + x + 1]) edges[(r + 1) * stride + x + 1] |= 1 << 3;
			}
		}
		const remaining = edges.slice();
		// The band owns the edges starting on its rows (the last band also those on the mosaic's bottom line).
		const lastOwned = last ? rows + 1 : rows;
		const owned = (vertex: number) => {
			const r = Math.floor(vertex / stride);
			return r >= 1 && r <= lastOwned;
		};
		const offset = (y0 - 1) * stride;
		const edgeId = (vertex: number, direction: number) => (vertex + offset) * 4 + direction;
		const labelsAt = (vertex: number, direction: number) => {
			const x = (vertex % stride) + leftX[direction];
			const r = Math.floor(vertex / stride) + leftY[direction];
			if (r === 0) return {component: this.lastRow!.component[x], part: this.lastRow!.part[x]};
			return {component: component[(r - 1) * width + x], part: part[(r - 1) * width + x]};
		};
		const turn = (vertex: number, direction: number): number => {
			const options = edges[vertex];
			const left = (direction + 3) & 3;
			if (options & (1 << left)) return left;
			if (options & (1 << direction)) return direction;
			return (direction + 1) & 3;
		};
		const step = (vertex: number, direction: number) => vertex + dx[direction] + dy[direction] * stride;
		/** Follows edges until the next one is another band's (a chain) or already walked (a closed ring). */
		const walk = (start: number, direction: number, entry: number): Chain => {
			const chain: Chain = {entry, last: -1, vertices: [], directions: [], ...labelsAt(start, direction)};
			let vertex = start;
			for (;;) {
				remaining[vertex] &= ~(1 << direction);
				chain.vertices.push(vertex + offset);
				chain.directions.push(direction);
				const end = step(vertex, direction);
				if (!owned(end)) {
					chain.last = edgeId(vertex, direction);
					return chain;
				}
				direction = turn(end, direction);
				vertex = end;
				if (!(remaining[vertex] & (1 << direction))) return chain;
			}
		};

		// Chains entering the band: edges going south from the row above, or north from the row below.
		for (let x = 0; x <= width; x++) {
			const entries: Array<[number, number]> = [[x, 1]];
			if (!last) entries.push([(rows + 1) * stride + x, 3]);
			for (const [vertex, direction] of entries) {
				if (!(edges[vertex] & (1 << direction))) continue;
				const end = step(vertex, direction);
				this.addChain(walk(end, turn(end, direction), edgeId(vertex, direction)));
			}
		}
		for (let vertex = stride; vertex < edges.length && owned(vertex); vertex++) {
			while (remaining[vertex]) {
				const direction = 31 - Math.clz32(remaining[vertex] & -remaining[vertex]);
				this.closeRing([walk(vertex, direction, -1)]);
			}
		}
		return this.finishBand(component, part, rows, last);
	}

	/**
	 * The band's pixels (0/1) with the row above it (the last band's foreground) and the row below it, each row
	 * `stride + 1` long: a column of background before the row's pixels and one after (shared with the next row's).
	 */
	private contextOf(band: Uint8Array, rows: number, below: Uint8Array | undefined): Uint8Array {
		const {width, stride} = this;
		const context = new Uint8Array(stride * (rows + 2) + 1);
		if (this.lastRow) {
			const above = this.lastRow.component;
			for (let x = 0; x < width; x++) if (above[x]) context[1 + x] = 1;
		}
		for (let r = 0; r < rows; r++) context.set(band.subarray(r * width, (r + 1) * width), (r + 1) * stride + 1);
		if (below) context.set(below.subarray(0, width), (rows + 1) * stride + 1);
		return context;
	}

	/** Global labels of the band's pixels, joined with those of the row above. */
	private labelBand(band: Uint8Array, rows: number, y0: number, tileRow: number) {
		const {width} = this;
		const tilesAcross = Math.ceil(width / this.options.tileWidth);
		const labelled = (connectivity: 4 | 8, sets: UnionFind) => {
			const local = labelComponents(band, width, rows, {value: 1, connectivity});
			const global = new Int32Array(local.count + 1);
			for (let label = 1; label <= local.count; label++) global[label] = sets.add();
			const labels = new Int32Array(local.labels.length);
			for (let i = 0; i < labels.length; i++) labels[i] = global[local.labels[i]];
			return {labels, sizes: local.sizes, global};
		};
		const components = labelled(foregroundConnectivity, this.components);
		const parts = labelled(4, this.parts);
		for (let label = 1; label < components.global.length; label++) {
			this.open.set(components.global[label], {
				pixels: components.sizes[label],
				tiles: new Set(),
				first: Infinity,
				rings: [],
			});
		}
		// A pixel of the label and tile of the last one looked up adds nothing: skipped (most of a component's pixels).
		let lastLabel = 0;
		let lastTile = -1;
		for (let i = 0; i < band.length; i++) {
			const label = components.labels[i];
			if (!label) continue;
			const tile = tileRow * tilesAcross + Math.floor((i % width) / this.options.tileWidth);
			if (label === lastLabel && tile === lastTile) continue;
			lastLabel = label;
			lastTile = tile;
			const open = this.open.get(label)!;
			if (open.first === Infinity) open.first = y0 * width + i;
			open.tiles.add(tile);
		}
		if (this.lastRow) {
			const above = this.lastRow;
			for (let x = 0; x < width; x++) {
				if (!band[x]) continue;
				if (above.part[x]) this.parts.union(parts.labels[x], above.part[x]);
				for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) {
					if (above.component[nx]) this.joinComponents(components.labels[x], above.component[nx]);
				}
			}
		}
		return {component: components.labels, part: parts.labels};
	}

	private joinComponents(a: number, b: number): void {
		const joined = this.components.union(a, b);
		if (!joined) return;
		const [root, absorbed] = joined;
		const into = this.open.get(root)!;
		const from = this.open.get(absorbed)!;
		this.open.delete(absorbed);
		into.pixels += from.pixels;
		for (const tile of from.tiles) into.tiles.add(tile);
		into.first = Math.min(into.first, from.first);
		into.rings.push(...from.rings);
	}

	/** Joins a chain to the open paths it continues or that continue it; a path that closes is a ring. */
	private addChain(chain: Chain): void {
		const before = this.byLast.get(chain.entry);
		const after = this.byEntry.get(chain.last);
		if (before) this.byLast.delete(before.last);
		if (after) this.byEntry.delete(after.entry);
		if (before && before === after) {
			this.closeRing([...before.chains, chain]);
			return;
		}
		const path: Path = {
			entry: before ? before.entry : chain.entry,
			last: after ? after.last : chain.last,
			chains: [...(before?.chains ?? []), chain, ...(after?.chains ?? [])],
		};
		if (before) this.byEntry.delete(before.entry);
		if (after) this.byLast.delete(after.last);
		this.byEntry.set(path.entry, path);
		this.byLast.set(path.last, path);
	}

	private closeRing(chains: Chain[]): void {
		const vertices = chains.flatMap((chain) => chain.vertices);
		const directions = chains.flatMap((chain) => chain.directions);
		const {component, part} = chains[0];
		const open = this.open.get(this.components.find(component))!;
		for (const simple of splitAtRepeats(vertices, directions)) {
			const {points, outer} = corners(simple.vertices, simple.directions, this.stride);
			open.rings.push({points, outer, part});
		}
	}

	/** Remembers the band's last row and hands out the components that do not reach it. */
	private finishBand(component: Int32Array, part: Int32Array, rows: number, last: boolean): MosaicComponent[] {
		const {width} = this;
		const from = (rows - 1) * width;
		this.lastRow = {component: component.slice(from, from + width), part: part.slice(from, from + width)};
		const alive = new Set<number>();
		if (!last) for (const label of this.lastRow.component) if (label) alive.add(this.components.find(label));
		const done = [...this.open.entries()]
			.filter(([root]) => !alive.has(root))
			.sort(([, a], [, b]) => a.first - b.first);
		return done.map(([root, open]) => {
			this.open.delete(root);
			return this.polygonOf(open);
		});
	}

	private polygonOf(open: Open): MosaicComponent {
		const byPart = new Map<number, {outer?: Int32Array; holes: Int32Array[]}>();
		for (const ring of open.rings) {
			const root = this.parts.find(ring.part);
			let entry = byPart.get(root);
			if (!entry) byPart.set(root, (entry = {holes: []}));
			if (ring.outer) entry.outer = ring.points;
			else entry.holes.push(ring.points);
		}
		const traced = [...byPart.keys()]
			.sort((a, b) => a - b)
			.map((root) => {
				const {outer, holes} = byPart.get(root)!;
				if (!outer) throw new Error(`mask outline without an outer ring (part ${root}); this is a bug in the tracer`);
				return [outer, ...holes];
			});
		return {parts: simplifiedRings(traced, this.options.tolerance), pixels: open.pixels, tiles: open.tiles.size};
	}
}

/** Splits a closed walk into simple rings wherever a vertex comes back (as traceRings does). */
function splitAtRepeats(vertices: number[], directions: number[]): Array<{vertices: number[]; directions: number[]}> {
	const rings: Array<{vertices: number[]; directions: number[]}> = [];
	const position = new Map<number, number>();
	const stack: number[] = [];
	const stackDirections: number[] = [];
	vertices.forEach((vertex, k) => {
		const seen = position.get(vertex);
		if (seen !== undefined) {
			const loop = stack.splice(seen);
			for (const v of loop) position.delete(v);
			rings.push({vertices: loop, directions: stackDirections.splice(seen)});
		}
		position.set(vertex, stack.length);
		stack.push(vertex);
		stackDirections.push(directions[k]);
	});
	rings.push({vertices: stack, directions: stackDirections});
	return rings;
}

/** The ring's corners (collinear vertices dropped) as x, y pairs, and whether it is an outer ring. */
function corners(vertices: number[], directions: number[], stride: number): {points: Int32Array; outer: boolean} {
	const n = vertices.length;
	const points: number[] = [];
	let twiceArea = 0;
	for (let k = 0; k < n; k++) {
		const x = vertices[k] % stride;
		const y = (vertices[k] - x) / stride;
		const next = vertices[(k + 1) % n];
		const nx = next % stride;
		twiceArea += x * ((next - nx) / stride) - nx * y;
		if (directions[k] !== directions[(k + n - 1) % n]) points.push(x, y);
	}
	// Image y points down, so a counter-clockwise ring on the map has a negative image-space area.
	return {points: Int32Array.from(points), outer: twiceArea < 0};
}
