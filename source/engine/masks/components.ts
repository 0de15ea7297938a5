/**
 * Connected components of one value in a raster, two-pass labelling with union-find on typed arrays.
 * Foreground uses 8-connectivity everywhere in deepmask (diagonal neighbours belong to the same object);
 * background regions (holes) then use the dual 4-connectivity, so a hole never leaks through a diagonal.
 */

export type Connectivity = 4 | 8;

export type Components = {
	/** Per pixel: 0 where the raster is not `value`, else the component's label 1..count (raster order of first pixel). */
	labels: Int32Array;
	count: number;
	/** Pixels per label; index 0 is unused. */
	sizes: Int32Array;
	/** 1 for labels that touch the raster's outer edge; index 0 is unused. */
	touchesEdge: Uint8Array;
};

export const foregroundConnectivity: Connectivity = 8;

function find(parent: Int32Array, label: number): number {
	let root = label;
	while (parent[root] !== root) root = parent[root];
	while (parent[label] !== root) {
		const next = parent[label];
		parent[label] = root;
		label = next;
	}
	return root;
}

function union(parent: Int32Array, a: number, b: number): number {
	const rootA = find(parent, a);
	const rootB = find(parent, b);
	if (rootA === rootB) return rootA;
	// The smaller label stays root, so results do not depend on the order of unions.
	if (rootA < rootB) {
		parent[rootB] = rootA;
		return rootA;
	}
	parent[rootA] = rootB;
	return rootB;
}

export function labelComponents(
	mask: Uint8Array,
	width: number,
	height: number,
	options: {value?: number; connectivity: Connectivity},
): Components {
	const value = options.value ?? 1;
	const diagonal = options.connectivity === 8;
	const labels = new Int32Array(width * height);
	// A new provisional label needs a pixel whose left neighbour differs: at most ⌈width/2⌉ per row.
	const parent = new Int32Array(Math.ceil(width / 2) * height + 1);
	let next = 1;

	// The neighbours already labelled: a b c above, d to the left. With 8-connectivity a, c and d each touch b,
	// so they were joined to it when they were labelled: b alone decides, and without b, c needs joining to d
	// (or to a, which touches d) only. This decision tree (Wu, Otoo and Suzuki) skips most unions; the
	// components, and so the final labels, are the same.
	for (let y = 0; y < height; y++) {
		const row = y * width;
		for (let x = 0; x < width; x++) {
			const i = row + x;
			if (mask[i] !== value) continue;
			const b = y > 0 ? labels[i - width] : 0;
			const d = x > 0 ? labels[i - 1] : 0;
			let label: number;
			if (!diagonal) {
				label = b !== 0 && d !== 0 && b !== d ? union(parent, b, d) : b || d;
			} else if (b !== 0) {
				label = b;
			} else {
				const c = y > 0 && x < width - 1 ? labels[i - width + 1] : 0;
				const a = y > 0 && x > 0 ? labels[i - width - 1] : 0;
				const left = d || a;
				label = c !== 0 && left !== 0 && c !== left ? union(parent, c, left) : c || left;
			}
			if (label === 0) {
				label = next++;
				parent[label] = label;
			}
			labels[i] = label;
		}
	}

	// Second pass: provisional roots → consecutive labels in raster order.
	const final = new Int32Array(next);
	let count = 0;
	for (let label = 1; label < next; label++) {
		const root = find(parent, label);
		if (root === label) final[label] = ++count;
	}
	for (let label = 1; label < next; label++) final[label] = final[find(parent, label)];

	const sizes = new Int32Array(count + 1);
	const touchesEdge = new Uint8Array(count + 1);
	for (let y = 0; y < height; y++) {
		const row = y * width;
		const edgeRow = y === 0 || y === height - 1;
		for (let x = 0; x < width; x++) {
			const i = row + x;
			if (labels[i] === 0) continue;
			const label = final[labels[i]];
			labels[i] = label;
			sizes[label]++;
			if (edgeRow || x === 0 || x === width - 1) touchesEdge[label] = 1;
		}
	}
	return {labels, count, sizes, touchesEdge};
}
