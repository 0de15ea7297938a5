import {describe, expect, it} from 'vitest';
import {memberTile} from '../../source/engine/infer/member-tile.js';
import {inputPlanes} from '../../source/engine/infer/preprocess.js';
import type {InputSpec} from '../../source/engine/infer/protocol.js';
import {shareTile, tileImages} from '../../source/engine/infer/shared-tile.js';

const width = 16;
const height = 16;
const rgb = Uint8Array.from({length: width * height * 3}, (_, i) => (i * 37) % 256);
/** The right quarter has no RGB data. */
const rgbNodata = Uint8Array.from({length: width * height}, (_, p) => (p % width >= 12 ? 1 : 0));
const spec: InputSpec = {bands: ['R', 'G', 'B'], mean: [0.4, 0.5, 0.45], std: [0.2, 0.25, 0.22]};
const input = {id: 't', rgb: {data: rgb, width, height}, rgbNodata, outWidth: width, outHeight: height};

describe('RGB pixels without data in a member share', () => {
	it('travel with the shared tile', () => {
		const {tile, layout} = shareTile(input);
		expect(tileImages(tile, layout).rgb).toEqual({...input.rgb, nodata: rgbNodata});
	});

	it('reach the model as the band mean (0), not black, and get probability 0', () => {
		const {tile, layout} = shareTile(input);
		const work = memberTile(spec, {
			type: 'predict',
			id: 0,
			tile,
			...layout,
			outWidth: width,
			outHeight: height,
			size: 16,
		});
		const withData = inputPlanes(spec, input.rgb);
		const pixels = width * height;
		const made = new Float32Array(3 * pixels);
		work.input(0, made);
		for (let c = 0; c < 3; c++) {
			for (let p = 0; p < pixels; p++) {
				expect(made[c * pixels + p]).toBeCloseTo(rgbNodata[p] ? 0 : withData[c * pixels + p], 6);
			}
		}
		work.output(0, new Float32Array(pixels).fill(0.9));
		const probability = work.finish();
		for (let p = 0; p < pixels; p++) expect(probability[p]).toBeCloseTo(rgbNodata[p] ? 0 : 0.9, 6);
	});
});
