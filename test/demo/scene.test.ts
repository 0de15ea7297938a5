import {describe, expect, it} from 'vitest';
import {DEMO_ORIGIN, LandCover, renderScene} from '../../source/demo/scene.js';

const {x: ox, y: oy} = DEMO_ORIGIN;

function box(xmin: number, ymin: number, cell: number, width: number, height: number) {
	return {bbox: {xmin, ymin, xmax: xmin + cell * width, ymax: ymin + cell * height}, width, height};
}

function crop<T extends Uint8Array | Float32Array>(
	data: T,
	width: number,
	bands: number,
	col: number,
	row: number,
	w: number,
	h: number,
): T {
	const out = new (data.constructor as new (n: number) => T)(w * h * bands);
	for (let r = 0; r < h; r++)
		out.set(data.subarray(((row + r) * width + col) * bands, ((row + r) * width + col + w) * bands), r * w * bands);
	return out;
}

describe('demo scene', () => {
	it('is deterministic', () => {
		const request = box(ox - 60, oy + 20, 0.5, 200, 150);
		expect(renderScene(request)).toEqual(renderScene(request));
	});

	it('renders only the layers asked for, with the right sizes', () => {
		const request = box(ox, oy, 0.5, 64, 32);
		const all = renderScene(request);
		expect(all.rgb).toHaveLength(64 * 32 * 3);
		expect(all.dsm).toHaveLength(64 * 32);
		expect(all.buildings).toHaveLength(64 * 32);
		const dsmOnly = renderScene(request, new Set(['dsm']));
		expect(Object.keys(dsmOnly)).toEqual(['dsm']);
		expect(dsmOnly.dsm).toEqual(all.dsm);
	});

	it('a sub-extent on the same pixel grid equals the crop of a larger render', () => {
		const cell = 0.5;
		const big = renderScene(box(ox - 100, oy - 80, cell, 320, 260));
		const col = 37;
		const row = 53;
		const w = 150;
		const h = 110;
		// Row 0 is the top: the sub-extent's ymax lies `row` cells below the big one's.
		const small = renderScene(box(ox - 100 + col * cell, oy - 80 + (260 - row - h) * cell, cell, w, h));
		expect(small.rgb).toEqual(crop(big.rgb!, 320, 3, col, row, w, h));
		expect(small.dsm).toEqual(crop(big.dsm!, 320, 1, col, row, w, h));
		expect(small.buildings).toEqual(crop(big.buildings!, 320, 1, col, row, w, h));
	});

	it('a coarser render whose pixel centres fall on fine centres samples the same values', () => {
		const fine = renderScene(box(ox + 200, oy - 300, 0.5, 400, 400));
		// 1 m cells shifted by a quarter metre: every coarse centre is the centre of fine pixel (2c, 2r).
		const coarse = renderScene(box(ox + 200 - 0.25, oy - 300 - 0.25 + 0.5, 1, 200, 200));
		let same = 0;
		for (let r = 0; r < 200; r++) {
			for (let c = 0; c < 200; c++) {
				const f = 2 * r * 400 + 2 * c;
				const k = r * 200 + c;
				if (
					coarse.buildings![k] === fine.buildings![f] &&
					coarse.dsm![k] === fine.dsm![f] &&
					coarse.rgb![3 * k] === fine.rgb![3 * f]
				)
					same++;
			}
		}
		expect(same).toBe(200 * 200);
	});

	it('a 2× coarser render agrees with the downsampled fine one for most pixels', () => {
		const fine = renderScene(box(ox - 700, oy + 400, 0.5, 512, 512));
		const coarse = renderScene(box(ox - 700, oy + 400, 1, 256, 256));
		let agreeMask = 0;
		let rgbError = 0;
		let dsmError = 0;
		for (let r = 0; r < 256; r++) {
			for (let c = 0; c < 256; c++) {
				const quad = [
					2 * r * 512 + 2 * c,
					2 * r * 512 + 2 * c + 1,
					(2 * r + 1) * 512 + 2 * c,
					(2 * r + 1) * 512 + 2 * c + 1,
				];
				const k = r * 256 + c;
				const votes = quad.reduce((sum, p) => sum + fine.buildings![p], 0);
				if ((votes >= 2 ? 1 : 0) === coarse.buildings![k] || votes === 2) agreeMask++;
				rgbError += Math.abs(quad.reduce((sum, p) => sum + fine.rgb![3 * p + 1], 0) / 4 - coarse.rgb![3 * k + 1]);
				dsmError += Math.abs(quad.reduce((sum, p) => sum + fine.dsm![p], 0) / 4 - coarse.dsm![k]);
			}
		}
		expect(agreeMask / 65536).toBeGreaterThan(0.97);
		expect(rgbError / 65536).toBeLessThan(20);
		expect(dsmError / 65536).toBeLessThan(1);
	});

	it('looks like a town: buildings of some share, raised in the DSM, terrain in range', () => {
		const {buildings, dsm, rgb} = renderScene(box(ox - 256, oy - 256, 1, 512, 512));
		let count = 0;
		let onBuildings = 0;
		let elsewhere = 0;
		for (let p = 0; p < buildings!.length; p++) {
			if (buildings![p]) {
				count++;
				onBuildings += dsm![p];
			} else {
				elsewhere += dsm![p];
			}
		}
		const share = count / buildings!.length;
		expect(share).toBeGreaterThan(0.05);
		expect(share).toBeLessThan(0.45);
		expect(onBuildings / count - elsewhere / (buildings!.length - count)).toBeGreaterThan(3);
		expect(dsm!.reduce((a, b) => Math.min(a, b))).toBeGreaterThan(95);
		expect(dsm!.reduce((a, b) => Math.max(a, b))).toBeLessThan(200);
		// Not a flat picture: the imagery varies.
		expect(new Set(rgb).size).toBeGreaterThan(150);
	});

	it('is defined far from the town too', () => {
		const far = renderScene(box(ox + 40_000, oy - 25_000, 2, 128, 128));
		expect(far.dsm!.every((z) => z > 95 && z < 200)).toBe(true);
	});

	it('has a land-cover truth: the building footprints, roads and tree crowns, the other layers unchanged', () => {
		const request = box(ox - 128, oy - 128, 1, 256, 256);
		const all = renderScene(request, new Set(['rgb', 'dsm', 'buildings', 'landcover']));
		expect(all.rgb).toEqual(renderScene(request).rgb);
		const {landcover, buildings, dsm} = all as Required<typeof all>;
		const share = Object.values(LandCover).map(
			(id) => landcover.filter((value) => value === id).length / landcover.length,
		);
		expect(share.every((value) => value > 0.02)).toBe(true);
		expect(landcover.every((value, p) => (value === LandCover.building) === (buildings[p] === 1))).toBe(true);
		// Crowns stand above the ground, carriageways do not.
		const mean = (id: number) => {
			let sum = 0;
			let count = 0;
			landcover.forEach((value, p) => {
				if (value !== id) return;
				sum += dsm[p];
				count++;
			});
			return sum / count;
		};
		expect(mean(LandCover.tree)).toBeGreaterThan(mean(LandCover.road) + 3);
	});

	it('rejects a bad request', () => {
		expect(() => renderScene({bbox: {xmin: 1, ymin: 1, xmax: 0, ymax: 2}, width: 4, height: 4})).toThrow(/bbox/);
		expect(() => renderScene({bbox: {xmin: 0, ymin: 0, xmax: 1, ymax: 1}, width: 0, height: 4})).toThrow(/size/);
	});
});
