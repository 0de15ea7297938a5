/**
 * Which pixels of the plan's grid lie in the area: a scanline over the polygons' edges at pixel-centre
 * rows, even-odd within each polygon (its holes), the union across polygons. The tiles the plan keeps and
 * the clip of each tile's masks both come from here, on the same global pixel grid, so a kept tile always
 * has a pixel inside and a clip never disagrees with the plan.
 */

/** Polygons as GeoJSON MultiPolygon coordinates: polygons of rings of [x, y], each ring closed. */
export type AreaCoordinates = Array<Array<Array<[number, number]>>>;

/** A grid of square pixels: its top-left corner, the pixel side and its size in pixels. */
export type PixelGrid = {xmin: number; ymax: number; cellSize: number; width: number; height: number};

type Edge = {x1: number; y1: number; x2: number; y2: number; top: number; bottom: number};

function edgesOf(rings: Array<Array<[number, number]>>): Edge[] {
	const edges: Edge[] = [];
	for (const ring of rings) {
		for (let k = 0; k + 1 < ring.length; k++) {
			const [x1, y1] = ring[k];
			const [x2, y2] = ring[k + 1];
			if (y1 === y2) continue;
			edges.push({x1, y1, x2, y2, top: Math.max(y1, y2), bottom: Math.min(y1, y2)});
		}
	}
	// Rows run from the top down: edges enter the active list by their top.
	return edges.sort((a, b) => b.top - a.top);
}

/**
 * Calls `span(row, from, to)` for every run of pixels [from, to) of the rows [firstRow, endRow) whose
 * centres lie inside the area; runs of different polygons may overlap.
 */
export function forEachAreaSpan(
	area: AreaCoordinates,
	grid: PixelGrid,
	span: (row: number, from: number, to: number) => void,
	firstRow = 0,
	endRow = grid.height,
): void {
	const {xmin, ymax, cellSize, width} = grid;
	const column = (x: number) => Math.min(width, Math.max(0, Math.ceil((x - xmin) / cellSize - 0.5)));
	for (const polygon of area) {
		const edges = edgesOf(polygon);
		let next = 0;
		let active: Edge[] = [];
		const crossings: number[] = [];
		for (let row = firstRow; row < endRow; row++) {
			const y = ymax - (row + 0.5) * cellSize;
			while (next < edges.length && edges[next].top > y) active.push(edges[next++]);
			active = active.filter((edge) => edge.bottom <= y);
			crossings.length = 0;
			// Half-open in y (top > y >= bottom), so a vertex shared by two edges counts once.
			for (const edge of active)
				if (edge.top > y && edge.bottom <= y)
					crossings.push(edge.x1 + ((y - edge.y1) * (edge.x2 - edge.x1)) / (edge.y2 - edge.y1));
			crossings.sort((a, b) => a - b);
			for (let k = 0; k + 1 < crossings.length; k += 2) {
				const from = column(crossings[k]);
				const to = column(crossings[k + 1]);
				if (to > from) span(row, from, to);
			}
		}
	}
}

/** The tiles of a grid of rows × cols tiles of tileSize pixels that have a pixel inside the area: a set of row * cols + col. */
export function coveredTiles(area: AreaCoordinates, grid: PixelGrid, tileSize: number, cols: number): Set<number> {
	const covered = new Set<number>();
	forEachAreaSpan(area, grid, (row, from, to) => {
		const tileRow = Math.floor(row / tileSize);
		for (let col = Math.floor(from / tileSize); col <= Math.floor((to - 1) / tileSize); col++)
			covered.add(tileRow * cols + col);
	});
	return covered;
}

/**
 * 1 for each pixel of the tile at (tileRow, tileCol) outside the area, row-major; undefined when every pixel
 * is inside. `grid` is the whole plan's, so the tile's pixels are the plan's.
 */
export function outsideMask(
	area: AreaCoordinates,
	grid: PixelGrid,
	tileSize: number,
	tileRow: number,
	tileCol: number,
): Uint8Array | undefined {
	const outside = new Uint8Array(tileSize * tileSize).fill(1);
	const left = tileCol * tileSize;
	let inside = 0;
	forEachAreaSpan(
		area,
		grid,
		(row, from, to) => {
			const start = Math.max(from, left) - left;
			const end = Math.min(to, left + tileSize) - left;
			const offset = (row - tileRow * tileSize) * tileSize;
			for (let col = start; col < end; col++) {
				if (outside[offset + col]) inside++;
				outside[offset + col] = 0;
			}
		},
		tileRow * tileSize,
		(tileRow + 1) * tileSize,
	);
	return inside === outside.length ? undefined : outside;
}
