import simplify from 'simplify-js';

/**
 * Douglas-Peucker on a closed ring of integer corners (x, y pairs, not closed). The ring is cut at its
 * first vertex and the vertex farthest from it, and both halves are simplified, so neither end point can
 * be dropped and the ring keeps a real extent. Only vertices are removed, none moved.
 */
export function simplifyRing(points: Int32Array, tolerance: number): Int32Array {
	const n = points.length / 2;
	if (n <= 4 || tolerance <= 0) return points;
	let far = 0;
	let farDistance = -1;
	for (let k = 1; k < n; k++) {
		const distance = (points[2 * k] - points[0]) ** 2 + (points[2 * k + 1] - points[1]) ** 2;
		if (distance > farDistance) {
			far = k;
			farDistance = distance;
		}
	}
	const vertex = (k: number) => ({x: points[2 * (k % n)], y: points[2 * (k % n) + 1]});
	const half = (from: number, to: number) => {
		const path = [];
		for (let k = from; k <= to; k++) path.push(vertex(k));
		return simplify(path, tolerance, true);
	};
	const first = half(0, far);
	const second = half(far, n);
	const kept = [...first.slice(0, -1), ...second.slice(0, -1)];
	return Int32Array.from(kept.flatMap((p) => [p.x, p.y]));
}
