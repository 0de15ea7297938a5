/**
 * Outlines of mask pixels along pixel edges. Every boundary edge is directed so that the foreground
 * lies on its left in map orientation (y up): outer rings run counter-clockwise, hole rings clockwise.
 * Where two foreground pixels touch only diagonally (a saddle vertex) the ring turns to stay on the
 * pixel it is following, so a ring never joins pixels that do not share an edge: every ring borders one
 * 4-connected component. A ring that still passes a vertex twice (a hole touching its own outline) is
 * split there, so every returned ring is simple.
 */

export type TracedRing = {
	/** Corner vertices (collinear ones dropped) as x, y pairs in pixel-edge coordinates: 0..width, 0..height, y down. */
	points: Int32Array;
	/** Index (y × width + x) of a foreground pixel the ring borders. */
	pixel: number;
	/** true for an outer ring (counter-clockwise on the map), false for a hole. */
	outer: boolean;
};

// Directions in image coordinates: east, south, west, north.
const dx = [1, 0, -1, 0];
const dy = [0, 1, 0, -1];

export function traceRings(mask: Uint8Array, width: number, height: number): TracedRing[] {
	const stride = width + 1;
	const out = new Uint8Array(stride * (height + 1));
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			if (!mask[y * width + x]) continue;
			if (y === 0 || !mask[(y - 1) * width + x]) out[y * stride + x + 1] |= 1 << 2;
			if (y === height - 1 || !mask[(y + 1) * width + x]) out[(y + 1) * stride + x] |= 1 << 0;
			if (x === 0 || !mask[y * width + x - 1]) out[y * stride + x] |= 1 << 1;
			if (x === width - 1 || !mask[y * width + x + 1]) out[(y + 1) * stride + x + 1] |= 1 << 3;
		}
	}

	const rings: TracedRing[] = [];
	const position = new Int32Array(out.length).fill(-1);
	for (let start = 0; start < out.length; start++) {
		while (out[start] !== 0) {
			const walk = walkRing(out, start, stride);
			for (const simple of splitAtRepeats(walk, position)) rings.push(toRing(simple, stride, width));
		}
	}
	return rings;
}

/** Follows edges from `start` until it returns there; consumes the edges it uses. Returns the vertices and directions taken. */
function walkRing(out: Uint8Array, start: number, stride: number): {vertices: number[]; directions: number[]} {
	const vertices: number[] = [];
	const directions: number[] = [];
	const first = 31 - Math.clz32(out[start] & -out[start]);
	let vertex = start;
	let direction = first;
	for (;;) {
		out[vertex] &= ~(1 << direction);
		vertices.push(vertex);
		directions.push(direction);
		vertex += dx[direction] + dy[direction] * stride;
		// Options at the new vertex: its unused edges, plus the first edge when back at the start.
		const options = out[vertex] | (vertex === start ? 1 << first : 0);
		const left = (direction + 3) & 3;
		const right = (direction + 1) & 3;
		let next: number;
		if (options & (1 << left)) next = left;
		else if (options & (1 << direction)) next = direction;
		else next = right;
		if (vertex === start && next === first) return {vertices, directions};
		direction = next;
	}
}

/** Splits a closed walk into simple rings wherever a vertex comes back. */
function splitAtRepeats(
	walk: {vertices: number[]; directions: number[]},
	position: Int32Array,
): Array<{vertices: number[]; directions: number[]}> {
	const rings: Array<{vertices: number[]; directions: number[]}> = [];
	const stack: number[] = [];
	const stackDirections: number[] = [];
	walk.vertices.forEach((vertex, k) => {
		const seen = position[vertex];
		if (seen >= 0) {
			// The loop from the earlier visit to here closes a ring of its own.
			const vertices = stack.splice(seen);
			const directions = stackDirections.splice(seen);
			for (const v of vertices) position[v] = -1;
			rings.push({vertices, directions});
		}
		position[vertex] = stack.length;
		stack.push(vertex);
		stackDirections.push(walk.directions[k]);
	});
	for (const v of stack) position[v] = -1;
	rings.push({vertices: stack, directions: stackDirections});
	return rings;
}

function toRing(ring: {vertices: number[]; directions: number[]}, stride: number, width: number): TracedRing {
	const {vertices, directions} = ring;
	const n = vertices.length;
	const corners: number[] = [];
	let twiceArea = 0;
	for (let k = 0; k < n; k++) {
		const x = vertices[k] % stride;
		const y = (vertices[k] - x) / stride;
		const next = vertices[(k + 1) % n];
		const nx = next % stride;
		twiceArea += x * ((next - nx) / stride) - nx * y;
		if (directions[k] !== directions[(k + n - 1) % n]) corners.push(x, y);
	}
	// The pixel on the left of the first edge (map orientation).
	const x0 = vertices[0] % stride;
	const y0 = (vertices[0] - x0) / stride;
	const offsets: Array<[number, number]> = [
		[0, -1],
		[0, 0],
		[-1, 0],
		[-1, -1],
	];
	const [ox, oy] = offsets[directions[0]];
	// Image y points down, so a counter-clockwise ring on the map has a negative image-space area.
	return {points: Int32Array.from(corners), pixel: (y0 + oy) * width + x0 + ox, outer: twiceArea < 0};
}
