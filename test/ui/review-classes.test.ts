/** The review's figures of one class of a multi-class run: tiles by that class, its disagreement, the class key's order. */
import {describe, expect, it} from 'vitest';
import {classConfigOf} from '../../source/engine/classes/class-config.js';
import type {Tile} from '../../source/engine/geo/plan.js';
import {summariseTile} from '../../source/engine/masks/tile-stats.js';
import {minimapCells, minimapLabel} from '../../source/ui/components/tile-minimap.js';
import {nextShownClass, sortTiles, tileDisagreement, tileFraction} from '../../source/ui/review-stats.js';

const classes = classConfigOf({'0': 'background', '1': 'building', '2': 'tree'});

/** A 4 × 4 tile's statistics from two members' maps of winning class ids (the ensemble agrees with the first). */
function tileOf(id: string, first: string, second: string) {
	const planes = (ids: string) => {
		const cells = ids.split('').map(Number);
		const out = new Uint8Array(3 * cells.length).fill(10);
		cells.forEach((value, i) => (out[value * cells.length + i] = 230));
		return out;
	};
	const tile: Tile = {id, row: 0, col: 0, bbox: {xmin: 0, ymin: 0, xmax: 4, ymax: 4}, width: 4, height: 4};
	return summariseTile({
		tile,
		probability: planes(first),
		members: [planes(first), planes(second)],
		models: ['a', 'b'],
		width: 4,
		height: 4,
		threshold: 0.5,
		postprocess: {minArea: 0, fillHoles: 0},
		classes,
	}).stats;
}

describe('review figures per class', () => {
	// r0: mostly building, the members agree; r1: mostly tree, the members disagree on half of it.
	const buildings = tileOf('r000_c000', '1111111100000000', '1111111100000000');
	const trees = tileOf('r000_c001', '2222222222220000', '2222220000000000');

	it('sorts the tiles by the shown class, or by any class', () => {
		expect(sortTiles([buildings, trees], 'foreground', 1).map((tile) => tile.id)).toEqual(['r000_c000', 'r000_c001']);
		expect(sortTiles([buildings, trees], 'foreground', 2).map((tile) => tile.id)).toEqual(['r000_c001', 'r000_c000']);
		expect(sortTiles([buildings, trees], 'foreground').map((tile) => tile.id)).toEqual(['r000_c001', 'r000_c000']);
		expect(tileFraction(trees, 2)).toBe(12 / 16);
		expect(tileFraction(trees, 1)).toBe(0);
	});

	it('measures the members disagreement on the shown class', () => {
		expect(tileDisagreement(trees, 2)).toBe(0.5);
		expect(tileDisagreement(buildings, 1)).toBe(0);
		expect(tileDisagreement(trees, 1)).toBe(0);
	});

	it('maps the tiles by the shown class', () => {
		const right = {...trees, col: 1};
		const levels = (classId?: number) =>
			minimapCells([buildings, right], 'foreground', undefined, 2, 1, classId)[0].map((cell) => cell?.level);
		expect(levels(1)).toEqual([1, 0]);
		expect(levels(2)).toEqual([0, 1]);
		expect(minimapLabel([buildings, right], 'foreground', 20, 2)).toBe('fg █ 75%');
	});

	it('steps through the classes but the background, then back to all; binary runs have none', () => {
		const overall = buildings.classes;
		expect(nextShownClass(overall, undefined)).toBe(1);
		expect(nextShownClass(overall, 1)).toBe(2);
		expect(nextShownClass(overall, 2)).toBeUndefined();
		expect(nextShownClass(undefined, undefined)).toBeUndefined();
	});
});
