import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {vectoriseMask} from '../masks/polygons.js';
import {hasGdal} from '../helpers/gdal.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-validity-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** Blobby random mask: noise smoothed by a box filter, thresholded; ragged outlines, holes, diagonal touches. */
function blobs(size: number, seed: number, smoothing: number): Uint8Array {
	let state = seed;
	const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
	const noise = Float64Array.from({length: size * size}, random);
	const mask = new Uint8Array(size * size);
	for (let y = 0; y < size; y++) {
		for (let x = 0; x < size; x++) {
			let sum = 0;
			let n = 0;
			for (let v = Math.max(0, y - smoothing); v <= Math.min(size - 1, y + smoothing); v++) {
				for (let u = Math.max(0, x - smoothing); u <= Math.min(size - 1, x + smoothing); u++) {
					sum += noise[v * size + u];
					n++;
				}
			}
			mask[y * size + x] = sum / n > 0.5 ? 1 : 0;
		}
	}
	return mask;
}

describe('vectorised polygons in GEOS', () => {
	it.skipIf(!hasGdal)('are all valid, simplified or not, on ragged random masks', () => {
		const size = 96;
		const features = [];
		for (const [seed, smoothing] of [
			[1, 1],
			[2, 2],
			[3, 3],
			[4, 0],
		]) {
			const mask = blobs(size, seed, smoothing);
			for (const tolerance of [0, 1, 2]) {
				for (const polygon of vectoriseMask(
					mask,
					size,
					size,
					{xmin: 0, ymin: 0, xmax: size, ymax: size},
					{tolerance},
				)) {
					features.push({
						type: 'Feature',
						properties: {seed, tolerance, area: polygon.area},
						geometry: polygon.geometry,
					});
				}
			}
		}
		const file = path.join(dir, 'blobs.geojson');
		writeFileSync(file, JSON.stringify({type: 'FeatureCollection', features}));
		const out = execFileSync(
			'ogrinfo',
			[
				'-ro',
				'-dialect',
				'SQLite',
				'-sql',
				'SELECT COUNT(*) AS n, SUM(ST_IsValid(geometry)) AS valid, SUM(ABS(ST_Area(geometry) - area)) AS drift FROM blobs WHERE tolerance = 0',
				file,
			],
			{encoding: 'utf8'},
		);
		const count = Number(/n \(Integer\) = (\d+)/.exec(out)?.[1]);
		expect(count).toBeGreaterThan(50);
		expect(Number(/valid \(Integer\) = (\d+)/.exec(out)?.[1])).toBe(count);
		// Unsimplified outlines enclose exactly the component's pixels.
		expect(Number(/drift \(Real\) = ([\d.e+-]+)/.exec(out)?.[1])).toBe(0);
		const all = execFileSync(
			'ogrinfo',
			[
				'-ro',
				'-dialect',
				'SQLite',
				'-sql',
				'SELECT COUNT(*) AS n, SUM(ST_IsValid(geometry)) AS valid FROM blobs',
				file,
			],
			{encoding: 'utf8'},
		);
		expect(/valid \(Integer\) = (\d+)/.exec(all)?.[1]).toBe(/n \(Integer\) = (\d+)/.exec(all)?.[1]);
	});
});
