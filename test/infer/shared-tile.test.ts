import {describe, expect, it} from 'vitest';
import type {GeoRaster} from '../../source/engine/geo/georaster.js';
import {isNodata} from '../../source/engine/infer/dsm.js';
import {shareTile, TileBuffers, tileImages} from '../../source/engine/infer/shared-tile.js';
import {nodataOf} from '../../source/engine/pipeline/infer-stage.js';

const width = 31;
const height = 17;
const pixels = width * height;
const nodata = -9999;
const heights = Float32Array.from({length: pixels}, (_, p) => (p % 7 === 0 ? nodata : p % 11 === 0 ? NaN : 100 + p));
const rgbNodata = Uint8Array.from({length: pixels}, (_, p) => (p % width >= 25 ? 1 : 0));
const input = {
	id: 't',
	rgb: {data: Uint8Array.from({length: pixels * 3}, (_, i) => i % 256), width, height},
	dsm: {data: heights, width, height, nodata},
	rgbNodata,
	outWidth: width,
	outHeight: height,
};
const bbox = {xmin: 0, ymin: 0, xmax: width, ymax: height};
const raster = (data: GeoRaster['data'], bands: number, extra: Partial<GeoRaster>): GeoRaster => ({
	width,
	height,
	bands,
	data,
	bbox,
	epsg: 3857,
	...extra,
});

describe('a shared tile', () => {
	it("finds the missing pixels a run's nodata mask (nodataOf) finds, so the run can hand its own over", () => {
		const shared = shareTile(input);
		const found = tileImages(shared.tile, shared.layout).missing;
		const run = nodataOf(raster(input.rgb.data, 3, {nodataMask: rgbNodata}), raster(heights, 1, {nodata}));
		expect(found).toEqual(run);
		expect(found?.includes(0) && found.includes(1)).toBe(true);
	});

	it('takes the missing pixels the input brings, null for none, into a buffer another tile filled', () => {
		const buffers = new TileBuffers(1);
		const used = shareTile(input);
		new Uint8Array(used.tile).fill(255);
		buffers.give(used.tile);
		// Not the DSM's own missing pixels: what the input says is what is shared.
		const brought = Uint8Array.from({length: pixels}, (_, p) => (p % 5 === 0 ? 1 : 0));
		const given = shareTile({...input, missing: brought}, buffers);
		expect(given.tile).toBe(used.tile);
		expect(tileImages(given.tile, given.layout).missing).toEqual(brought);
		const none = shareTile({...input, rgbNodata: undefined, missing: null});
		expect(tileImages(none.tile, none.layout).missing).toBeUndefined();
	});

	it('finds a missing sample by its bits as isNodata does: infinities, NaNs, either zero, float32 neighbours', () => {
		const samples = [0, -0, -9999, Math.fround(-9999.001), Infinity, -Infinity, NaN, 0.1, Math.fround(0.1), 1e-45, 7];
		const data = Float32Array.from({length: pixels}, (_, p) => samples[p % samples.length]);
		// A NaN with other payload bits and sign than the NaN literal's.
		new Uint32Array(data.buffer)[3] = 0xffc00123;
		for (const value of [undefined, 0, -0, -9999, 0.1, Math.fround(0.1), NaN, Infinity, 1e-45]) {
			const shared = shareTile({...input, rgbNodata: undefined, dsm: {data, width, height, nodata: value}});
			const expected = Uint8Array.from(data, (sample) => (isNodata(sample, value) ? 1 : 0));
			expect(tileImages(shared.tile, shared.layout).missing, `nodata ${value}`).toEqual(expected);
		}
		// No missing sample: no mask.
		const whole = Float32Array.from({length: pixels}, (_, p) => p + 0.5);
		const shared = shareTile({...input, rgbNodata: undefined, dsm: {data: whole, width, height, nodata: -9999}});
		expect(shared.layout.hasMissing).toBeUndefined();
	});
});
