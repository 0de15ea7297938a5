/**
 * Validity checks for simplified rings on integer pixel-edge coordinates (exact arithmetic).
 * A set of rings passes when no ring touches or crosses itself and different rings meet at most at
 * vertices they both have, as the unsimplified outlines of a mask do.
 */

/** Ring vertices as x, y pairs, not closed (the last vertex is not the first repeated). */
export type Points = ArrayLike<number>;

function cross(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
	return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/** Twice the signed area in image orientation (y down): negative for counter-clockwise on the map. */
export function twiceSignedArea(points: Points): number {
	const n = points.length / 2;
	let sum = 0;
	for (let k = 0; k < n; k++) {
		const j = (k + 1) % n;
		sum += points[2 * k] * points[2 * j + 1] - points[2 * j] * points[2 * k + 1];
	}
	return sum;
}

/** Where (px, py) lies relative to the ring (even-odd rule). */
export function locate(points: Points, px: number, py: number): 'inside' | 'outside' | 'boundary' {
	const n = points.length / 2;
	let inside = false;
	for (let k = 0, j = n - 1; k < n; j = k++) {
		const xk = points[2 * k];
		const yk = points[2 * k + 1];
		const xj = points[2 * j];
		const yj = points[2 * j + 1];
		if (
			cross(xj, yj, xk, yk, px, py) === 0 &&
			px >= Math.min(xj, xk) &&
			px <= Math.max(xj, xk) &&
			py >= Math.min(yj, yk) &&
			py <= Math.max(yj, yk)
		) {
			return 'boundary';
		}
		if (yk > py !== yj > py && px < ((xj - xk) * (py - yk)) / (yj - yk) + xk) inside = !inside;
	}
	return inside ? 'inside' : 'outside';
}

type Segment = {
	ring: number;
	index: number;
	ax: number;
	ay: number;
	bx: number;
	by: number;
	minX: number;
	maxX: number;
};

function onSegment(s: Segment, px: number, py: number): boolean {
	return (
		cross(s.ax, s.ay, s.bx, s.by, px, py) === 0 &&
		px >= Math.min(s.ax, s.bx) &&
		px <= Math.max(s.ax, s.bx) &&
		py >= Math.min(s.ay, s.by) &&
		py <= Math.max(s.ay, s.by)
	);
}

function intersects(s: Segment, t: Segment): boolean {
	const d1 = Math.sign(cross(s.ax, s.ay, s.bx, s.by, t.ax, t.ay));
	const d2 = Math.sign(cross(s.ax, s.ay, s.bx, s.by, t.bx, t.by));
	const d3 = Math.sign(cross(t.ax, t.ay, t.bx, t.by, s.ax, s.ay));
	const d4 = Math.sign(cross(t.ax, t.ay, t.bx, t.by, s.bx, s.by));
	if (d1 * d2 < 0 && d3 * d4 < 0) return true;
	return onSegment(s, t.ax, t.ay) || onSegment(s, t.bx, t.by) || onSegment(t, s.ax, s.ay) || onSegment(t, s.bx, s.by);
}

/** The meeting of two segments that share the endpoint (px, py) is a touch, not an overlap. */
function touchAtShared(s: Segment, t: Segment, px: number, py: number): boolean {
	const [sx, sy] = s.ax === px && s.ay === py ? [s.bx, s.by] : [s.ax, s.ay];
	const [tx, ty] = t.ax === px && t.ay === py ? [t.bx, t.by] : [t.ax, t.ay];
	const collinear = (sx - px) * (ty - py) - (sy - py) * (tx - px) === 0;
	return !(collinear && (sx - px) * (tx - px) + (sy - py) * (ty - py) > 0);
}

function sharedEndpoint(s: Segment, t: Segment): [number, number] | undefined {
	for (const [px, py] of [
		[s.ax, s.ay],
		[s.bx, s.by],
	]) {
		if ((t.ax === px && t.ay === py) || (t.bx === px && t.by === py)) return [px, py];
	}
	return undefined;
}

/** true when the rings are simple and meet each other only at shared vertices. */
export function ringsAreValid(rings: Points[]): boolean {
	const segments: Segment[] = [];
	for (const [ring, points] of rings.entries()) {
		const n = points.length / 2;
		if (n < 3 || twiceSignedArea(points) === 0) return false;
		for (let k = 0; k < n; k++) {
			const j = (k + 1) % n;
			const ax = points[2 * k];
			const ay = points[2 * k + 1];
			const bx = points[2 * j];
			const by = points[2 * j + 1];
			if (ax === bx && ay === by) return false;
			segments.push({ring, index: k, ax, ay, bx, by, minX: Math.min(ax, bx), maxX: Math.max(ax, bx)});
		}
	}
	const sizes = rings.map((points) => points.length / 2);
	segments.sort((s, t) => s.minX - t.minX);
	const active: Segment[] = [];
	for (const s of segments) {
		for (let k = active.length - 1; k >= 0; k--) if (active[k].maxX < s.minX) active.splice(k, 1);
		for (const t of active) {
			if (!intersects(s, t)) continue;
			const shared = sharedEndpoint(s, t);
			if (s.ring === t.ring) {
				const n = sizes[s.ring];
				const adjacent = (s.index + 1) % n === t.index || (t.index + 1) % n === s.index;
				if (!(adjacent && shared && touchAtShared(s, t, shared[0], shared[1]))) return false;
			} else if (!(shared && touchAtShared(s, t, shared[0], shared[1]))) {
				return false;
			}
		}
		active.push(s);
	}
	return true;
}
