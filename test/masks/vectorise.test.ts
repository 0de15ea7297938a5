import {describe, expect, it} from 'vitest';
import {ringsAreValid, twiceSignedArea} from '../../source/engine/masks/ring-checks.js';
import type {Position} from '../../source/engine/masks/vectorise.js';
import {vectoriseClasses, vectoriseMask} from './polygons.js';
import {grid} from './grid.js';

// 2 map units per pixel, top-left corner at (1000, 2000).
const cell = 2;
function bboxFor(width: number, height: number) {
	return {xmin: 1000, ymin: 2000 - height * cell, xmax: 1000 + width * cell, ymax: 2000};
}

/** Shoelace area on the map: positive for counter-clockwise rings. */
function ringArea(ring: Position[]): number {
	let sum = 0;
	for (let k = 0; k + 1 < ring.length; k++) sum += ring[k][0] * ring[k + 1][1] - ring[k + 1][0] * ring[k][1];
	return sum / 2;
}

describe('vectoriseMask', () => {
	it('turns a square with a hole into one polygon with one hole at exact map coordinates', () => {
		const {mask, width, height} = grid(`
			......
			.####.
			.#..#.
			.#..#.
			.####.
			......
		`);
		const polygons = vectoriseMask(mask, width, height, bboxFor(width, height));
		expect(polygons).toHaveLength(1);
		const [polygon] = polygons;
		expect(polygon.pixels).toBe(12);
		expect(polygon.area).toBe(48);
		expect(polygon.geometry.type).toBe('Polygon');
		const [outer, hole] = polygon.geometry.coordinates as Position[][];
		expect(polygon.geometry.coordinates).toHaveLength(2);
		expect(new Set(outer.map((p) => p.join(',')))).toEqual(
			new Set(['1002,1998', '1002,1990', '1010,1990', '1010,1998']),
		);
		expect(new Set(hole.map((p) => p.join(',')))).toEqual(
			new Set(['1004,1996', '1004,1992', '1008,1992', '1008,1996']),
		);
		expect(outer).toHaveLength(5);
		expect(outer[0]).toEqual(outer[4]);
		expect(ringArea(outer)).toBe(64);
		expect(ringArea(hole)).toBe(-16);
		expect(ringArea(outer) + ringArea(hole)).toBe(polygon.area);
	});

	it('makes a one-pixel square cell-sized and puts the outer edges exactly on the bbox', () => {
		const {mask, width, height} = grid('#.. ... ..#');
		const bbox = {xmin: 0.1, ymin: 0.2, xmax: 0.4, ymax: 0.5};
		const polygons = vectoriseMask(mask, width, height, bbox);
		expect(polygons).toHaveLength(2);
		const [first, second] = polygons.map((polygon) => polygon.geometry.coordinates as Position[][]);
		expect(Math.max(...first[0].map((p) => p[1]))).toBe(0.5);
		expect(Math.min(...first[0].map((p) => p[0]))).toBe(0.1);
		expect(Math.max(...second[0].map((p) => p[0]))).toBe(0.4);
		expect(Math.min(...second[0].map((p) => p[1]))).toBe(0.2);
		expect(ringArea(first[0])).toBeCloseTo(0.01, 12);
	});

	it('gives a component that touches itself only at a corner as a valid MultiPolygon', () => {
		const {mask, width, height} = grid(`
			##..
			##..
			..##
			..##
		`);
		const [polygon] = vectoriseMask(mask, width, height, bboxFor(width, height));
		expect(polygon.geometry.type).toBe('MultiPolygon');
		expect(polygon.geometry.coordinates).toHaveLength(2);
		expect(polygon.pixels).toBe(8);
	});

	it('keeps a hole that touches the outline at one vertex as a hole, not a self-touching ring', () => {
		// The background pixel in the middle meets the outside only at a corner: with 4-connected background it is a hole.
		const {mask, width, height} = grid(`
			.##
			#.#
			###
		`);
		const [polygon] = vectoriseMask(mask, width, height, bboxFor(width, height), {tolerance: 0});
		expect(polygon.geometry.type).toBe('Polygon');
		const rings = polygon.geometry.coordinates as Position[][];
		expect(rings).toHaveLength(2);
		expect(ringArea(rings[0])).toBeGreaterThan(0);
		expect(ringArea(rings[1])).toBe(-4);
		expect(polygon.area).toBe(28);
	});

	it('simplifies staircases to about one pixel and keeps every ring valid', () => {
		const size = 40;
		const mask = new Uint8Array(size * size);
		for (let y = 0; y < size; y++)
			for (let x = 0; x < size; x++)
				if ((x - 20) ** 2 + (y - 20) ** 2 < 15 ** 2 && (x - 20) ** 2 + (y - 20) ** 2 > 5 ** 2) mask[y * size + x] = 1;
		const raw = vectoriseMask(mask, size, size, bboxFor(size, size), {tolerance: 0});
		const simplified = vectoriseMask(mask, size, size, bboxFor(size, size));
		const count = (polygons: typeof raw) =>
			(polygons[0].geometry.coordinates as Position[][]).reduce((n, ring) => n + ring.length, 0);
		expect(simplified).toHaveLength(1);
		expect((simplified[0].geometry.coordinates as Position[][]).length).toBe(2);
		expect(count(simplified)).toBeLessThan(count(raw) / 2);
		const [outer, hole] = simplified[0].geometry.coordinates as Position[][];
		expect(Math.abs(ringArea(outer) + ringArea(hole) - simplified[0].area) / simplified[0].area).toBeLessThan(0.05);
	});

	it('traces only simple, valid rings on random masks', () => {
		let seed = 7;
		const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
		for (let trial = 0; trial < 30; trial++) {
			const width = 12;
			const height = 9;
			const mask = new Uint8Array(width * height).map(() => (random() < 0.5 ? 1 : 0));
			const polygons = vectoriseMask(
				mask,
				width,
				height,
				{xmin: 0, ymin: 0, xmax: width, ymax: height},
				{tolerance: 0},
			);
			const rings = polygons.flatMap((polygon) => polygon.parts.flat());
			expect(ringsAreValid(rings)).toBe(true);
			// Signed areas add up to the foreground pixel count.
			const total = rings.reduce((sum, ring) => sum - twiceSignedArea(ring) / 2, 0);
			expect(total).toBe(mask.reduce((a, b) => a + b, 0));
			expect(polygons.reduce((sum, polygon) => sum + polygon.pixels, 0)).toBe(total);
		}
	});
});

describe('vectoriseClasses', () => {
	it('gives each class its own polygons, touching classes sharing their outline', () => {
		// Class 1 a 2 × 2 block, class 2 the block right of it, class 3 two separate pixels.
		const mask = Uint8Array.from([1, 1, 2, 2, 3, 1, 1, 2, 2, 0, 0, 0, 0, 0, 3]);
		const polygons = vectoriseClasses(mask, 5, 3, bboxFor(5, 3), [1, 2, 3], {tolerance: 0});
		expect(polygons.map((polygon) => [polygon.classId, polygon.pixels, polygon.area])).toEqual([
			[1, 4, 16],
			[2, 4, 16],
			[3, 1, 4],
			[3, 1, 4],
		]);
		const [left, right] = polygons.map((polygon) => (polygon.geometry.coordinates as Position[][]).flat());
		const shared = left.filter(([x]) => x === 1004).map(([, y]) => y);
		expect(new Set(shared)).toEqual(new Set(right.filter(([x]) => x === 1004).map(([, y]) => y)));
	});
});
