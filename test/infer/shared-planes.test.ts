import {once} from 'node:events';
import {describe, expect, it} from 'vitest';
import {resizedInputPlanes, rgbInputSpec, type DsmImage, type RgbImage} from '../../source/engine/infer/preprocess.js';
import type {InputSpec} from '../../source/engine/infer/protocol.js';
import {
	clearSharedPlanes,
	rgbPlaneSlots,
	sharedPlanes,
	sharedPlanesBytes,
} from '../../source/engine/infer/shared-planes.js';
import {startWorker} from '../../source/engine/threads/start-worker.js';

const width = 40;
const height = 30;
const rgb: RgbImage = {
	data: Uint8Array.from({length: width * height * 3}, (_, i) => (i * 37 + (i >> 5)) % 256),
	width,
	height,
	nodata: Uint8Array.from({length: width * height}, (_, p) => (p % width >= 33 ? 1 : 0)),
};
const dsm: DsmImage = {
	data: Float32Array.from({length: width * height}, (_, p) => 100 + Math.sin(p * 0.1) * 5),
	width,
	height,
	nodata: -9999,
};
const mean = {R: 0.4, G: 0.42, B: 0.32, DSM: 0};
const std = {R: 0.16, G: 0.14, B: 0.15, DSM: 1};
const specOf = (bands: InputSpec['bands']): InputSpec => ({
	bands,
	mean: bands.map((band) => mean[band]),
	std: bands.map((band) => std[band]),
	dsm: bands.includes('DSM') ? {mode: 'ndsm', scale: 0.1, clip: [0, 30], percentile: 2} : undefined,
});

describe('RGB planes shared by the members', () => {
	it('give every member the planes it makes itself, to the last bit, whatever its band order', () => {
		const size = 16;
		const rgbSpec = rgbInputSpec(specOf(['R', 'G', 'B']))!;
		const shared = resizedInputPlanes(rgbSpec, rgb, undefined, size);
		for (const bands of [
			['R', 'G', 'B'],
			['B', 'G', 'R', 'DSM'],
			['R', 'DSM', 'G', 'B'],
		] as Array<InputSpec['bands']>) {
			const spec = specOf(bands);
			expect(rgbInputSpec(spec)).toEqual(rgbSpec);
			expect(resizedInputPlanes(spec, rgb, dsm, size, undefined, () => shared)).toEqual(
				resizedInputPlanes(spec, rgb, dsm, size),
			);
		}
	});

	it('are only for members that have all three bands', () => {
		expect(rgbInputSpec({bands: ['R', 'G', 'DSM'], mean: [0, 0, 0], std: [1, 1, 1]})).toBeUndefined();
	});

	it('take a slot per group of two or more members that make them alike', () => {
		const rgb = specOf(['R', 'G', 'B']);
		const bgrd = specOf(['B', 'G', 'R', 'DSM']);
		const otherStd = {...rgb, std: [0.2, 0.2, 0.2]};
		const {offsets, bytes} = rgbPlaneSlots([
			{input: rgb, size: 512},
			{input: bgrd, size: 512},
			{input: rgb, size: 256},
			{input: otherStd, size: 512},
			{input: specOf(['R', 'G', 'DSM'] as InputSpec['bands']), size: 512},
			{input: otherStd, size: 512},
		]);
		const [first, second] = [0, sharedPlanesBytes(3 * 512 * 512)];
		expect(offsets).toEqual([first, first, undefined, second, undefined, second]);
		expect(bytes).toBe(2 * sharedPlanesBytes(3 * 512 * 512));
		expect(rgbPlaneSlots([{input: rgb, size: 512}])).toEqual({offsets: [undefined], bytes: 0});
	});
});

/** `workers` threads ask for one slot at once; how many made the planes, and what each got. */
async function askedBy(workers: number, fail: boolean): Promise<{makers: number; sums: unknown[]}> {
	const slot = new SharedArrayBuffer(sharedPlanesBytes(1000));
	const counter = new SharedArrayBuffer(12);
	const threads = Array.from({length: workers}, () =>
		startWorker(import.meta.url, './shared-planes-worker', {slot, counter, workers, fail}),
	);
	const sums = await Promise.all(threads.map(async (thread) => (await once(thread, 'message'))[0] as unknown));
	await Promise.all(threads.map((thread) => thread.terminate()));
	return {makers: new Int32Array(counter)[0], sums};
}

describe('sharedPlanes', () => {
	it('makes the planes once, in the first thread that asks, and the others read them', async () => {
		expect(await askedBy(3, false)).toEqual({makers: 1, sums: [7000, 7000, 7000]});
	});

	it('lets the others make their own when the maker fails', async () => {
		const {makers, sums} = await askedBy(3, true);
		expect(makers).toBe(3);
		expect(sums.filter((sum) => sum === 'failed')).toHaveLength(1);
		expect(sums.filter((sum) => sum === 7000)).toHaveLength(2);
	});

	it('makes its own when the maker never finishes, and again once the slot is cleared', () => {
		const slot = new SharedArrayBuffer(sharedPlanesBytes(4));
		new Int32Array(slot, 0, 1)[0] = 1;
		const own = sharedPlanes(slot, 0, 4, (into) => into.fill(2), 10);
		expect(Array.from(own)).toEqual([2, 2, 2, 2]);
		expect(own.buffer).not.toBe(slot);
		clearSharedPlanes(slot, 0);
		const made = sharedPlanes(slot, 0, 4, (into) => into.fill(3));
		expect(made.buffer).toBe(slot);
		expect(sharedPlanes(slot, 0, 4, () => expect.unreachable('made twice'))).toEqual(made);
	});
});
