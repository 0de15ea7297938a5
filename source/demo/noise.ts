/** Integer hashing and value noise: everything the procedural scene draws is a pure function of position. */

/** A well-mixed hash of up to three integers, as a float in [0, 1). */
export function hash3(i: number, j: number, k: number): number {
	let h = Math.imul(i | 0, 0x27d4eb2d) ^ Math.imul(j | 0, 0x165667b1) ^ Math.imul(k | 0, 0x9e3779b1);
	h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
	h ^= h >>> 16;
	return (h >>> 0) / 4_294_967_296;
}

/** Smooth value noise in [0, 1) on a unit lattice. */
export function valueNoise(x: number, y: number, seed: number): number {
	const xi = Math.floor(x);
	const yi = Math.floor(y);
	const fx = x - xi;
	const fy = y - yi;
	const sx = fx * fx * (3 - 2 * fx);
	const sy = fy * fy * (3 - 2 * fy);
	const a = hash3(xi, yi, seed);
	const b = hash3(xi + 1, yi, seed);
	const c = hash3(xi, yi + 1, seed);
	const d = hash3(xi + 1, yi + 1, seed);
	const top = a + (b - a) * sx;
	const bottom = c + (d - c) * sx;
	return top + (bottom - top) * sy;
}

/** A small deterministic random sequence (mulberry32) for laying out one block. */
export function sequence(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}
