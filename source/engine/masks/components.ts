/**
 * Connected components of one value in a raster: its runs row by row, joined with a union-find on typed arrays.
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

/** The runs of a raster in raster order, reused between calls: grown as needed, dropped after a very large raster. */
let runStarts = new Int32Array(1024);
let runEnds = new Int32Array(1024);
/** Per run its union-find parent: a run before it (the smaller root stays root), or itself. */
let runParents = new Int32Array(1024);
const maxKeptRuns = 1 << 20;

function growRuns(): void {
	const grown = (from: Int32Array) => {
		const to = new Int32Array(from.length * 2);
		to.set(from);
		return to;
	};
	runStarts = grown(runStarts);
	runEnds = grown(runEnds);
	runParents = grown(runParents);
}

function root(parent: Int32Array, run: number): number {
	while (parent[run] !== run) run = parent[run] = parent[parent[run]];
	return run;
}

/**
 * Labels the raster's runs of `value`: each row's runs are joined to the runs of the row above that they
 * touch (with 8-connectivity at a corner too), so the union-find works per run and a run's pixels are
 * labelled at once. A component's root is its first run in raster order, so the labels come out in raster
 * order of each component's first pixel.
 */
export function labelComponents(
	mask: Uint8Array,
	width: number,
	height: number,
	options: {value?: number; connectivity: Connectivity},
): Components {
	const value = options.value ?? 1;
	const reach = options.connectivity === 8 ? 1 : 0;
	let runs = 0;
	let above = 0;
	for (let row = 0, rowEnd = width; row < width * height; row = rowEnd, rowEnd += width) {
		// The row above's runs are [above, first); those ending before `j` touch none of this row's runs left.
		const first = runs;
		let j = above;
		let i = row;
		while (i < rowEnd) {
			while (i < rowEnd && mask[i] !== value) i++;
			if (i === rowEnd) break;
			const start = i;
			while (i < rowEnd && mask[i] === value) i++;
			if (runs === runStarts.length) growRuns();
			const run = runs++;
			runStarts[run] = start;
			runEnds[run] = i;
			runParents[run] = run;
			// A run above touches this one where it ends after `from` and starts before `to` (one row up).
			const from = start - width - reach;
			const to = i - width + reach;
			while (j < first && runEnds[j] <= from) j++;
			for (let k = j; k < first && runStarts[k] < to; k++) {
				const a = root(runParents, run);
				const b = root(runParents, k);
				if (a < b) runParents[b] = a;
				else if (b < a) runParents[a] = b;
			}
		}
		above = first;
	}

	// Each run's root comes before it, so one pass in order flattens the sets and numbers the roots.
	const parents = runParents;
	let count = 0;
	for (let run = 0; run < runs; run++) {
		const parent = parents[run];
		parents[run] = parent === run ? -++count : parents[parent];
	}
	const labels = new Int32Array(width * height);
	const sizes = new Int32Array(count + 1);
	const touchesEdge = new Uint8Array(count + 1);
	const lastRow = (height - 1) * width;
	for (let run = 0; run < runs; run++) {
		const label = -parents[run];
		const start = runStarts[run];
		const end = runEnds[run];
		labels.fill(label, start, end);
		sizes[label] += end - start;
		if (start < width || start >= lastRow || start % width === 0 || end % width === 0) touchesEdge[label] = 1;
	}
	if (runStarts.length > maxKeptRuns) {
		runStarts = new Int32Array(1024);
		runEnds = new Int32Array(1024);
		runParents = new Int32Array(1024);
	}
	return {labels, count, sizes, touchesEdge};
}
