import {describe, expect, it} from 'vitest';
import {MosaicPolygons, type MosaicComponent} from '../../source/engine/masks/mosaic-polygons.js';
import {ringsAreValid, type Points} from '../../source/engine/masks/ring-checks.js';
import {grid} from './grid.js';

/** The mosaic fed in bands of `rows` rows. */
function polygonsInBands(
	mask: Uint8Array,
	width: number,
	height: number,
	rows: number,
	tolerance = 0,
	tileWidth = rows,
) {
	const mosaic = new MosaicPolygons(width, height, {tolerance, tileWidth});
	const components: MosaicComponent[] = [];
	for (let y = 0; y < height; y += rows) {
		const end = Math.min(height, y + rows);
		const below = end < height ? mask.subarray(end * width, (end + 1) * width) : undefined;
		components.push(...mosaic.addBand(mask.subarray(y * width, end * width), end - y, below, y / rows));
	}
	return components;
}

/** A ring as a string that does not depend on its first vertex. */
function ringKey(points: ArrayLike<number>): string {
	const pairs: string[] = [];
	for (let k = 0; k < points.length; k += 2) pairs.push(`${points[k]},${points[k + 1]}`);
	const start = pairs.indexOf([...pairs].sort()[0]);
	return [...pairs.slice(start), ...pairs.slice(0, start)].join(' ');
}

function partsKey(parts: ArrayLike<number>[][]): string[] {
	return parts.map(([outer, ...holes]) => [ringKey(outer), ...holes.map(ringKey).sort()].join(' | '));
}

describe('MosaicPolygons', () => {
	it('gives the same polygons however the mask is cut into bands, on random masks', () => {
		let seed = 11;
		const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
		for (let trial = 0; trial < 40; trial++) {
			const width = 13;
			const height = 12;
			const density = 0.3 + 0.4 * random();
			const mask = new Uint8Array(width * height).map(() => (random() < density ? 1 : 0));
			const expected = polygonsInBands(mask, width, height, height);
			for (const rows of [1, 2, 3, 5]) {
				const actual = polygonsInBands(mask, width, height, rows);
				expect(actual.map((c) => c.pixels).sort()).toEqual(expected.map((c) => c.pixels).sort());
				expect(actual.map((c) => partsKey(c.parts)).sort()).toEqual(expected.map((c) => partsKey(c.parts)).sort());
			}
		}
	});

	it('makes one polygon of a building across four tiles, with its hole cut by the tile borders', () => {
		const {mask, width, height} = grid(`
			........
			.######.
			.##..##.
			.##..##.
			.######.
			........
		`);
		const components = polygonsInBands(mask, width, height, 3, 0, 4);
		expect(components).toHaveLength(1);
		expect(components[0].pixels).toBe(20);
		expect(components[0].tiles).toBe(4);
		expect(components[0].parts).toHaveLength(1);
		expect(components[0].parts[0]).toHaveLength(2);
	});

	it('keeps simplified rings valid where tile borders were', () => {
		let seed = 5;
		const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
		for (let trial = 0; trial < 20; trial++) {
			const width = 24;
			const height = 24;
			const mask = new Uint8Array(width * height).map(() => (random() < 0.55 ? 1 : 0));
			for (const component of polygonsInBands(mask, width, height, 6, 1.5)) {
				expect(ringsAreValid(component.parts.flat() as Points[])).toBe(true);
			}
		}
	});
});
