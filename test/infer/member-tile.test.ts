import {describe, expect, it} from 'vitest';
import {memberTile, type MemberTile} from '../../source/engine/infer/member-tile.js';
import {inputPlanes} from '../../source/engine/infer/preprocess.js';
import type {InputSpec} from '../../source/engine/infer/protocol.js';
import {resizePlane} from '../../source/engine/infer/resample.js';
import {shareTile, TileBuffers, tileImages} from '../../source/engine/infer/shared-tile.js';

const width = 75;
const height = 53;
const rgb = Uint8Array.from({length: width * height * 3}, (_, i) => (i * 37) % 256);
const dsm = Float32Array.from({length: width * height}, (_, i) => 100 + ((i * 13) % 40) / 4);
const nodata = -9999;
dsm[0] = nodata;
dsm[width * 20 + 30] = Number.NaN;
const spec: InputSpec = {
	bands: ['R', 'G', 'B', 'DSM'],
	mean: [0.4, 0.5, 0.45, 0.2],
	std: [0.2, 0.25, 0.22, 0.3],
	dsm: {mode: 'ndsm', scale: 0.1, percentile: 2},
};
const input = {
	id: 't',
	rgb: {data: rgb, width, height},
	dsm: {data: dsm, width, height, nodata},
	outWidth: 40,
	outHeight: 30,
};

/** The work's inputs, each made into a buffer that held another input before (as the worker's reused batch buffer does). */
function inputsOf(work: MemberTile, length: number): Float32Array[] {
	const into = new Float32Array(length).fill(Number.NaN);
	return Array.from({length: work.inputs}, (_, index) => {
		work.input(index, into);
		return into.slice();
	});
}

describe("a member's share of a tile (in its worker)", () => {
	it('reads back the shared rasters exactly, with and without a DSM', () => {
		const shared = shareTile(input);
		const images = tileImages(shared.tile, shared.layout);
		expect(images.rgb).toEqual(input.rgb);
		expect(images.dsm).toEqual(input.dsm);
		const rgbOnly = shareTile({...input, dsm: undefined});
		expect(tileImages(rgbOnly.tile, rgbOnly.layout)).toEqual({rgb: input.rgb});
	});

	it('shares the pixels where the RGB or the DSM has no data, found once, in a buffer another tile filled before', () => {
		const dsmMissing = Uint8Array.from({length: width * height}, (_, p) => (p === 0 || p === width * 20 + 30 ? 1 : 0));
		const buffers = new TileBuffers(1);
		const used = shareTile(input);
		new Uint8Array(used.tile).fill(255);
		buffers.give(used.tile);
		const again = shareTile(input, buffers);
		expect(again.tile).toBe(used.tile);
		expect(tileImages(again.tile, again.layout).missing).toEqual(dsmMissing);
		const rgbNodata = Uint8Array.from({length: width * height}, (_, p) => (p % width >= 60 ? 1 : 0));
		const withRgbNodata = shareTile({...input, rgbNodata});
		const both = tileImages(withRgbNodata.tile, withRgbNodata.layout);
		expect(both.missing).toEqual(rgbNodata.map((missing, p) => missing | dsmMissing[p]));
		expect(both.rgb.nodata).toEqual(rgbNodata);
		const heights = dsm.map((value) => (Number.isFinite(value) && value !== nodata ? value : 1));
		const complete = shareTile({...input, dsm: {...input.dsm, data: heights}});
		expect(tileImages(complete.tile, complete.layout).missing).toBeUndefined();
	});

	it('resizes the input planes to the model size and its probabilities to the output size, 0 where the DSM is missing', () => {
		const {tile, layout} = shareTile(input);
		const size = 32;
		const work = memberTile(spec, {type: 'predict', id: 0, tile, ...layout, outWidth: 40, outHeight: 30, size});
		const planes = inputPlanes(spec, input.rgb, input.dsm);
		const pixels = width * height;
		const inputs = inputsOf(work, 4 * size * size);
		expect(inputs).toHaveLength(1);
		for (let c = 0; c < 4; c++) {
			expect(inputs[0].subarray(c * size * size, (c + 1) * size * size)).toEqual(
				resizePlane(planes.subarray(c * pixels, (c + 1) * pixels), width, height, size, size),
			);
		}
		const output = Float32Array.from({length: size * size}, (_, i) => 0.1 + (0.8 * (i % size)) / size);
		const expected = resizePlane(output.slice(), size, size, 40, 30);
		// The missing samples (0, 0) and (30, 20) fall on output pixels (0, 0) and (16, 11) (nearest, half-pixel centres).
		expect(expected[0]).toBeGreaterThan(0);
		expected[0] = 0;
		expected[11 * 40 + 16] = 0;
		// The output buffer is the worker's, reused after the call: the tile keeps what it needs of it.
		work.output(0, output);
		output.fill(Number.NaN);
		expect(work.finish()).toEqual(expected);
		// Into the buffer the request lends: the same values there, whatever it held.
		const into = new SharedArrayBuffer(40 * 30 * Float32Array.BYTES_PER_ELEMENT);
		new Float32Array(into).fill(7);
		const lent = memberTile(spec, {type: 'predict', id: 1, tile, ...layout, outWidth: 40, outHeight: 30, size, into});
		inputsOf(lent, 4 * size * size);
		lent.output(
			0,
			Float32Array.from({length: size * size}, (_, i) => 0.1 + (0.8 * (i % size)) / size),
		);
		const result = lent.finish();
		expect(result.buffer).toBe(into);
		expect(Array.from(result)).toEqual(Array.from(expected));
	});

	it('cuts windows at the tile resolution and blends their probabilities back', () => {
		const {tile, layout} = shareTile({...input, dsm: undefined});
		const size = 32;
		const work = memberTile(
			{...spec, bands: ['R', 'G', 'B'], dsm: undefined},
			{type: 'predict', id: 0, tile, ...layout, outWidth: width, outHeight: height, size, overlap: 25},
		);
		const inputs = inputsOf(work, 3 * size * size);
		expect(inputs.length).toBeGreaterThan(4);
		// The model's "probability" is its first input channel: blending must give back the first plane.
		const output = new Float32Array(size * size);
		inputs.forEach((window, index) => {
			output.set(window.subarray(0, size * size));
			work.output(index, output);
		});
		const probability = work.finish();
		const first = inputPlanes(spec, input.rgb, input.dsm).subarray(0, width * height);
		for (let i = 0; i < first.length; i++) expect(probability[i]).toBeCloseTo(first[i], 4);
		const into = new SharedArrayBuffer(probability.byteLength);
		const lent = memberTile(
			{...spec, bands: ['R', 'G', 'B'], dsm: undefined},
			{type: 'predict', id: 1, tile, ...layout, outWidth: width, outHeight: height, size, overlap: 25, into},
		);
		inputsOf(lent, 3 * size * size).forEach((window, index) => lent.output(index, window.slice(0, size * size)));
		const blended = lent.finish();
		expect(blended.buffer).toBe(into);
		expect(Array.from(blended)).toEqual(Array.from(probability));
	});
});
