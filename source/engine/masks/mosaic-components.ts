/**
 * Connected components of the whole mosaic of tiles, built tile by tile in plan order (rows from the top,
 * left to right): each tile is labelled on its own (components.ts) and its labels are joined to those of
 * the tiles above and to the left with a union-find, so every component knows its whole size and whether
 * it reaches the edge of what is known. Memory holds the border labels of one row of tiles and a few
 * numbers per label (not per pixel), so it grows with the count of components, never with the area.
 *
 * "The edge of what is known" is the mosaic's outer edge, a tile that is not in the run (outside a clipped
 * area), and any pixel flagged unknown (no source data, or outside the clipping area): a background region
 * that reaches it may go on where nothing was seen, so it is never a hole.
 */
import {foregroundConnectivity, labelComponents, type Components, type Connectivity} from './components.js';
import type {PostprocessReport, PostprocessSettings} from './postprocess.js';

/** A tile's place in the mosaic. */
export type MosaicCell = {row: number; col: number};

/** Which tiles the run has. */
export type MosaicLayout = {rows: number; cols: number; has(row: number, col: number): boolean};

export class MosaicLabels {
	// Label 0 is "not this value"; labels are global across the mosaic.
	private readonly parent: number[] = [0];
	private readonly size: number[] = [0];
	private readonly edge: number[] = [0];
	/** Bottom rows and right columns of tiles already labelled (global labels), for the tiles that follow. */
	private readonly bottoms = new Map<number, Int32Array>();
	private readonly rights = new Map<number, Int32Array>();
	/** Each tile's first global label: its local labels follow on from it. */
	private readonly firstLabels = new Map<number, number>();
	private last = -1;

	constructor(
		private readonly layout: MosaicLayout,
		private readonly value: number,
		private readonly connectivity: Connectivity,
	) {}

	/**
	 * Labels the next tile (plan order) where `mask` is `value`; `unknown` flags pixels whose region reaches
	 * the edge of what is known. `relabel` gives the tile's labels, global.
	 */
	add(cell: MosaicCell, mask: Uint8Array, width: number, height: number, unknown?: Uint8Array): void {
		const local = labelComponents(mask, width, height, {value: this.value, connectivity: this.connectivity});
		this.addLabelled(cell, local, width, height, unknown);
	}

	/** `add` for a tile whose components of `value` are labelled already (labelComponents, same connectivity). */
	addLabelled(cell: MosaicCell, local: Components, width: number, height: number, unknown?: Uint8Array): void {
		const {layout} = this;
		const index = cell.row * layout.cols + cell.col;
		if (index <= this.last) throw new Error(`tile ${cell.row},${cell.col} labelled out of plan order`);
		this.last = index;
		const first = this.parent.length;
		this.firstLabels.set(index, first);
		for (let label = 1; label <= local.count; label++) {
			this.parent.push(first + label - 1);
			this.size.push(local.sizes[label]);
			this.edge.push(0);
		}
		// Global labels only where they are needed (edges, unknown pixels), not for the whole tile.
		const global = (label: number) => (label ? first + label - 1 : 0);
		const labels = local.labels;

		const known = (row: number, col: number) =>
			row >= 0 && col >= 0 && row < layout.rows && col < layout.cols && layout.has(row, col);
		const {row, col} = cell;
		const open = {
			top: !known(row - 1, col),
			bottom: !known(row + 1, col),
			left: !known(row, col - 1),
			right: !known(row, col + 1),
		};
		for (let label = 1; label <= local.count; label++) {
			if (local.touchesEdge[label] && this.touchesOpenSide(labels, label, width, height, open)) {
				this.edge[global(label)] = 1;
			}
		}
		if (unknown) for (let i = 0; i < labels.length; i++) if (labels[i] && unknown[i]) this.edge[global(labels[i])] = 1;

		const diagonal = this.connectivity === 8;
		const above = known(row - 1, col) ? this.bottoms.get(index - layout.cols) : undefined;
		const left = known(row, col - 1) ? this.rights.get(index - 1) : undefined;
		for (let x = 0; x < width && above; x++) {
			const label = global(labels[x]);
			if (!label) continue;
			for (let nx = diagonal ? x - 1 : x; nx <= (diagonal ? x + 1 : x); nx++) {
				if (nx >= 0 && nx < width && above[nx]) this.union(label, above[nx]);
			}
		}
		for (let y = 0; y < height && left; y++) {
			const label = global(labels[y * width]);
			if (!label) continue;
			for (let ny = diagonal ? y - 1 : y; ny <= (diagonal ? y + 1 : y); ny++) {
				if (ny >= 0 && ny < height && left[ny]) this.union(label, left[ny]);
			}
		}
		if (diagonal && row > 0) {
			// Corners: the tile above-left's bottom-right pixel, the tile above-right's bottom-left one.
			const aboveLeft = known(row - 1, col - 1) ? this.bottoms.get(index - layout.cols - 1) : undefined;
			const aboveRight = known(row - 1, col + 1) ? this.bottoms.get(index - layout.cols + 1) : undefined;
			if (labels[0] && aboveLeft?.[width - 1]) this.union(global(labels[0]), aboveLeft[width - 1]);
			if (labels[width - 1] && aboveRight?.[0]) this.union(global(labels[width - 1]), aboveRight[0]);
		}

		for (const key of this.bottoms.keys()) if (key < index - layout.cols - 1) this.bottoms.delete(key);
		this.rights.clear();
		this.bottoms.set(index, globalLabels(labels.subarray((height - 1) * width), first));
		const right = new Int32Array(height);
		for (let y = 0; y < height; y++) right[y] = global(labels[y * width + width - 1]);
		this.rights.set(index, right);
	}

	/** The global labels `add` gave the tile, for the same mask (labelling is deterministic). */
	relabel(cell: MosaicCell, mask: Uint8Array, width: number, height: number): Int32Array {
		const first = this.firstLabels.get(cell.row * this.layout.cols + cell.col);
		if (first === undefined) throw new Error(`tile ${cell.row},${cell.col} was not labelled`);
		const local = labelComponents(mask, width, height, {value: this.value, connectivity: this.connectivity});
		return globalLabels(local.labels, first);
	}

	find(label: number): number {
		let root = label;
		while (this.parent[root] !== root) root = this.parent[root];
		while (this.parent[label] !== root) [this.parent[label], label] = [root, this.parent[label]];
		return root;
	}

	/** Pixels of the whole component. */
	sizeOf(label: number): number {
		return this.size[this.find(label)];
	}

	/** Whether the whole component reaches the edge of what is known. */
	reachesEdge(label: number): boolean {
		return this.edge[this.find(label)] === 1;
	}

	/** Sizes of the whole components, in the order of their first label. */
	sizes(): number[] {
		const sizes: number[] = [];
		for (let label = 1; label < this.parent.length; label++)
			if (this.parent[label] === label) sizes.push(this.size[label]);
		return sizes;
	}

	/** The roots of the whole components, for a test on each. */
	roots(): number[] {
		const roots: number[] = [];
		for (let label = 1; label < this.parent.length; label++) if (this.parent[label] === label) roots.push(label);
		return roots;
	}

	private union(a: number, b: number): void {
		const rootA = this.find(a);
		const rootB = this.find(b);
		if (rootA === rootB) return;
		const [root, absorbed] = rootA < rootB ? [rootA, rootB] : [rootB, rootA];
		this.parent[absorbed] = root;
		this.size[root] += this.size[absorbed];
		this.edge[root] |= this.edge[absorbed];
	}

	private touchesOpenSide(
		labels: Int32Array,
		label: number,
		width: number,
		height: number,
		open: {top: boolean; bottom: boolean; left: boolean; right: boolean},
	): boolean {
		for (let x = 0; x < width; x++) {
			if (open.top && labels[x] === label) return true;
			if (open.bottom && labels[(height - 1) * width + x] === label) return true;
		}
		for (let y = 0; y < height; y++) {
			if (open.left && labels[y * width] === label) return true;
			if (open.right && labels[y * width + width - 1] === label) return true;
		}
		return false;
	}
}

/** A tile's labels 1..count as the global labels from `first` on (0 stays 0). */
function globalLabels(local: Int32Array, first: number): Int32Array {
	const labels = new Int32Array(local.length);
	for (let i = 0; i < local.length; i++) if (local[i]) labels[i] = first + local[i] - 1;
	return labels;
}

/** The passes over every tile that post-processing needs before the final masks can be written. */
export type MosaicPass = 'objects' | 'holes';

/**
 * postprocessMask over the whole mosaic: `minArea` drops whole components (8-connected), then `fillHoles`
 * fills whole holes (4-connected background regions that do not reach the edge of what is known), in that
 * order. Each pass of `passes` sees every tile's foreground (before post-processing) through `learn`, in
 * plan order; `apply` then post-processes a tile in place.
 */
export class MosaicPostprocess {
	readonly passes: MosaicPass[];
	private readonly objects: MosaicLabels;
	private readonly holes: MosaicLabels;

	constructor(
		layout: MosaicLayout,
		private readonly settings: PostprocessSettings,
		private readonly cellArea: number,
	) {
		this.passes = [
			...(settings.minArea > 0 ? ['objects' as const] : []),
			...(settings.fillHoles > 0 ? ['holes' as const] : []),
		];
		this.objects = new MosaicLabels(layout, 1, foregroundConnectivity);
		this.holes = new MosaicLabels(layout, 0, 4);
	}

	learn(
		pass: MosaicPass,
		cell: MosaicCell,
		foreground: Uint8Array,
		width: number,
		height: number,
		unknown?: Uint8Array,
	) {
		if (pass === 'objects') {
			this.objects.add(cell, foreground, width, height);
			return;
		}
		const kept = foreground.slice();
		this.dropObjects(cell, kept, width, height);
		this.holes.add(cell, kept, width, height, unknown);
	}

	/** Post-processes the tile's foreground (0/1) in place; the counts are of this tile's pixels and pieces of components. */
	apply(cell: MosaicCell, foreground: Uint8Array, width: number, height: number): PostprocessReport {
		const report: PostprocessReport = {removedComponents: 0, removedPixels: 0, filledHoles: 0, filledPixels: 0};
		if (this.passes.length === 0) return report;
		const dropped = this.dropObjects(cell, foreground, width, height);
		report.removedComponents = dropped.pieces;
		report.removedPixels = dropped.pixels;
		if (this.settings.fillHoles > 0) {
			const filled = this.setWhere(this.holes, (label) => this.isHole(label), 1, cell, foreground, width, height);
			report.filledHoles = filled.pieces;
			report.filledPixels = filled.pixels;
		}
		return report;
	}

	/** Whole components removed and whole holes filled. */
	report(): PostprocessReport {
		const report: PostprocessReport = {removedComponents: 0, removedPixels: 0, filledHoles: 0, filledPixels: 0};
		if (this.settings.minArea > 0) {
			for (const root of this.objects.roots()) {
				if (!this.isSmall(root)) continue;
				report.removedComponents++;
				report.removedPixels += this.objects.sizeOf(root);
			}
		}
		if (this.settings.fillHoles > 0) {
			for (const root of this.holes.roots()) {
				if (!this.isHole(root)) continue;
				report.filledHoles++;
				report.filledPixels += this.holes.sizeOf(root);
			}
		}
		return report;
	}

	private isSmall(label: number): boolean {
		return this.objects.sizeOf(label) * this.cellArea < this.settings.minArea;
	}

	private isHole(label: number): boolean {
		return !this.holes.reachesEdge(label) && this.holes.sizeOf(label) * this.cellArea < this.settings.fillHoles;
	}

	private dropObjects(cell: MosaicCell, foreground: Uint8Array, width: number, height: number) {
		if (this.settings.minArea <= 0) return {pieces: 0, pixels: 0};
		return this.setWhere(this.objects, (label) => this.isSmall(label), 0, cell, foreground, width, height);
	}

	/**
	 * Sets the tile's pixels whose whole component (of `components`, labelled as `learn` saw the tile) passes
	 * `test` to `value`; counts those pixels and the components they belong to.
	 */
	private setWhere(
		components: MosaicLabels,
		test: (label: number) => boolean,
		value: number,
		cell: MosaicCell,
		foreground: Uint8Array,
		width: number,
		height: number,
	): {pieces: number; pixels: number} {
		const labels = components.relabel(cell, foreground, width, height);
		const pieces = new Set<number>();
		let pixels = 0;
		for (let i = 0; i < foreground.length; i++) {
			if (labels[i] && test(labels[i])) {
				foreground[i] = value;
				pixels++;
				pieces.add(components.find(labels[i]));
			}
		}
		return {pieces: pieces.size, pixels};
	}
}
