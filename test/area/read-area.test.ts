import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {readArea} from '../../source/engine/area/read-area.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'deepmask-read-area-'));

type Ring = Array<[number, number]>;

function file(name: string, features: Array<{properties?: Record<string, unknown>; geometry: unknown}>, crs?: string) {
	const target = path.join(work, `${name}.geojson`);
	writeFileSync(
		target,
		JSON.stringify({
			type: 'FeatureCollection',
			...(crs && {crs: {type: 'name', properties: {name: crs}}}),
			features: features.map((feature) => ({type: 'Feature', properties: {}, ...feature})),
		}),
	);
	return target;
}

const clockwise: Ring = [
	[0, 0],
	[0, 10],
	[10, 10],
	[10, 0],
	[0, 0],
];
const hole: Ring = [
	[2, 2],
	[4, 2],
	[4, 4],
	[2, 4],
	[2, 2],
];

describe('reading an area', () => {
	it('turns rings as RFC 7946 has them, splits multipolygons and reads a legacy crs member', async () => {
		const source = file(
			'rings',
			[
				{properties: {NAME: 'A'}, geometry: {type: 'Polygon', coordinates: [clockwise, [...hole].reverse()]}},
				{properties: {NAME: 'B'}, geometry: {type: 'MultiPolygon', coordinates: [[clockwise], [hole]]}},
			],
			'urn:ogc:def:crs:EPSG::3857',
		);
		const area = await readArea({source, clip: true});
		expect(area.crs).toBe('EPSG:3857');
		expect(area.polygons.map((polygon) => polygon.feature)).toEqual([
			'feature 1 (NAME=A)',
			'feature 2 (NAME=B)',
			'feature 2 (NAME=B)',
		]);
		// Outer counter-clockwise, hole clockwise.
		expect(area.polygons[0].rings[0]).toEqual([...clockwise].reverse());
		expect(area.polygons[0].rings[1]).toEqual([...hole].reverse());
	});

	it('filters with SQL over the attributes', async () => {
		const source = file('filtered', [
			{properties: {NAME: 'A', POP: 10}, geometry: {type: 'Polygon', coordinates: [clockwise]}},
			{properties: {NAME: 'B', POP: 500}, geometry: {type: 'Polygon', coordinates: [hole]}},
		]);
		const area = await readArea({source, where: 'POP > 100 AND NAME LIKE "b"', clip: true});
		expect(area.polygons.map((polygon) => polygon.feature)).toEqual(['feature 2 (NAME=B)']);
		await expect(readArea({source, where: "NAME = 'A'; DELETE FROM features", clip: true})).rejects.toThrow(
			/holds a ";"; give one SQL expression/,
		);
	});

	it('refuses invalid polygons, naming the feature and the problem', async () => {
		const cases: Array<[unknown, RegExp]> = [
			[
				[
					[
						[0, 0],
						[10, 10],
						[10, 0],
						[0, 10],
						[0, 0],
					],
				],
				/crosses itself at 5, 5/,
			],
			[[clockwise, hole.map(([x, y]) => [x + 20, y])], /its hole 1 lies outside it/],
			[[clockwise.slice(0, 4)], /a ring is not closed or has fewer than 4 points/],
			[
				[
					clockwise,
					[
						[5, 5],
						[15, 5],
						[15, 6],
						[5, 6],
						[5, 5],
					],
				],
				/crosses itself at 10, [56]/,
			],
		];
		for (const [index, [coordinates, expected]] of cases.entries()) {
			const source = file(`invalid-${index}`, [{properties: {NAME: 'Bad'}, geometry: {type: 'Polygon', coordinates}}]);
			await expect(readArea({source, clip: true})).rejects.toThrow(expected);
			await expect(readArea({source, clip: true})).rejects.toThrow(/feature 1 \(NAME=Bad\) is not a valid polygon/);
		}
	});
});
