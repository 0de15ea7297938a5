/**
 * Snapping an extent to whole tiles, in integer cells so that floating point never makes a partial tile.
 * Columns count from the left, rows from the top; cell indices are integers, map coordinates are derived
 * from them only at the end (origin + index × cellSize), so neighbouring tiles share exact edges.
 */

export type SnapMode = 'symmetric' | 'anchor';

/** Cells along one axis: [start, end) in cell indices relative to `origin`, in map units per cell. */
export type Span = {origin: number; start: number; end: number};

/** How many cells an interval of map units needs, rounding up but forgiving floating-point noise. */
export function cellsCovering(length: number, cellSize: number): number {
	const cells = length / cellSize;
	const nearest = Math.round(cells);
	return Math.abs(cells - nearest) < 1e-6 ? nearest : Math.ceil(cells);
}

function floorCells(value: number, cellSize: number): number {
	const cells = value / cellSize;
	const nearest = Math.round(cells);
	return Math.abs(cells - nearest) < 1e-6 ? nearest : Math.floor(cells);
}

function ceilCells(value: number, cellSize: number): number {
	const cells = value / cellSize;
	const nearest = Math.round(cells);
	return Math.abs(cells - nearest) < 1e-6 ? nearest : Math.ceil(cells);
}

/**
 * Grow [low, high] to a whole number of tiles of `tileCells` cells.
 * - symmetric: padding split between both sides, the odd cell on the `high` side (right, or bottom for rows);
 * - anchor: the `low` side kept (left, or top for rows), all padding on the other side.
 * `anchorAtHigh` flips which end is the anchor (rows are anchored at the top, i.e. at ymax).
 */
export function snapSpan(
	low: number,
	high: number,
	cellSize: number,
	tileCells: number,
	mode: SnapMode,
	anchorAtHigh = false,
): Span {
	const cells = Math.max(1, cellsCovering(high - low, cellSize));
	const total = Math.ceil(cells / tileCells) * tileCells;
	const padding = total - cells;
	if (mode === 'anchor') {
		return anchorAtHigh ? {origin: high, start: -total, end: 0} : {origin: low, start: 0, end: total};
	}
	const before = Math.floor(padding / 2);
	if (anchorAtHigh) {
		// Rows: origin at the original top; "before" is the top padding, the odd cell goes to the bottom.
		return {origin: high, start: -(cells + padding - before), end: before};
	}
	return {origin: low, start: -before, end: cells + padding - before};
}

/** Tile edges on a global grid: multiples of tileCells × cellSize from the CRS origin (0). */
export function alignedSpan(low: number, high: number, cellSize: number, tileCells: number): Span {
	const startCell = floorCells(low, cellSize);
	const endCell = Math.max(startCell + 1, ceilCells(high, cellSize));
	return {
		origin: 0,
		start: Math.floor(startCell / tileCells) * tileCells,
		end: Math.ceil(endCell / tileCells) * tileCells,
	};
}

export function spanCoordinate(span: Span, cell: number, cellSize: number): number {
	const value = span.origin + cell * cellSize;
	// -0 (from an origin of -0 or a cell index of -0) would print as 0 but compare apart from it.
	return value === 0 ? 0 : value;
}
