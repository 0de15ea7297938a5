import {describe, expect, it} from 'vitest';
import {openEnsemble} from '../../source/engine/infer/ensemble.js';
import type {InferEvent} from '../../source/engine/infer/types.js';
import {fixtureImages, tempDir, tinyCopy, tinyModel} from './helpers.js';

/** The first fixture image as a tile `id` to predict at outWidth × outHeight. */
async function firstImageInput(id: string, outWidth: number, outHeight: number) {
	const image = (await fixtureImages()).images[0];
	return {id, rgb: {data: image.rgb, width: image.width, height: image.height}, outWidth, outHeight};
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
	a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i])), 0);

describe('ensemble', () => {
	it('averages its members, each equal to the model run alone, and reports the provider', async () => {
		const dir = await tempDir();
		const second = await tinyCopy(dir, 'tiny-shifted', {standardization_mean: [0.6], standardization_std: [0.3]});
		const input = await firstImageInput('a', 100, 90);
		const events: InferEvent[] = [];
		const pair = await openEnsemble({
			models: [tinyModel, second],
			provider: 'auto',
			onEvent: (event) => events.push(event),
		});
		const alone = await openEnsemble({models: [second], provider: 'cpu'});
		try {
			expect(pair.models.map((model) => model.provider)).toEqual(['cpu', 'cpu']);
			expect(events.filter((event) => event.type === 'model-ready')).toHaveLength(2);
			const [together, single] = await Promise.all([pair.predict(input), alone.predict(input)]);
			expect(together.probability).toHaveLength(100 * 90);
			expect(maxAbsDiff(together.members[0], together.members[1])).toBeGreaterThan(0.01);
			const mean = together.members[0].map((value, i) => (value + together.members[1][i]) / 2);
			expect(maxAbsDiff(together.probability, mean)).toBeLessThan(1e-6);
			expect(maxAbsDiff(together.members[1], single.probability)).toBeLessThan(1e-6);
			expect(events.some((event) => event.type === 'model-tile' && event.tileId === 'a')).toBe(true);
			expect(events.some((event) => event.type === 'ensemble-tile' && event.tileId === 'a')).toBe(true);
		} finally {
			await Promise.all([pair.close(), alone.close()]);
		}
	});

	it('means its members as float32 sums in member order, then divided, to the bit, with or without them kept', async () => {
		const dir = await tempDir();
		const second = await tinyCopy(dir, 'tiny-second', {standardization_mean: [0.6], standardization_std: [0.3]});
		const third = await tinyCopy(dir, 'tiny-third', {standardization_mean: [0.3], standardization_std: [0.4]});
		const input = await firstImageInput('a', 100, 90);
		const three = await openEnsemble({models: [tinyModel, second, third], provider: 'cpu'});
		try {
			const kept = await three.predict(input);
			const sum = Float32Array.from(kept.members[0]);
			for (const member of kept.members.slice(1)) member.forEach((value, i) => (sum[i] += value));
			expect(kept.probability).toEqual(sum.map((value) => value / 3));
			const meanOnly = await three.predict({...input, keepMembers: false});
			expect(meanOnly.members).toEqual([]);
			expect(meanOnly.probability).toEqual(kept.probability);
			// Without members kept, the members' buffers are lent and used again: tiles in flight together and one after
			// the other keep apart, into the caller's buffer when given (shared memory or not).
			const inverted = {
				...input,
				id: 'inverted',
				rgb: {...input.rgb, data: input.rgb.data.map((value) => 255 - value)},
			};
			const invertedKept = await three.predict(inverted);
			const bytes = kept.probability.byteLength;
			for (let round = 0; round < 2; round++) {
				const shared = new Float32Array(new SharedArrayBuffer(bytes)).fill(9);
				const plain = new Float32Array(kept.probability.length).fill(9);
				const [intoShared, intoPlain, other] = await Promise.all([
					three.predict({...input, keepMembers: false, into: shared}),
					three.predict({...input, keepMembers: false, into: plain}),
					three.predict({...inverted, keepMembers: false}),
				]);
				expect(intoShared.probability).toBe(shared);
				expect(intoPlain.probability).toBe(plain);
				expect(Array.from(shared)).toEqual(Array.from(kept.probability));
				expect(plain).toEqual(kept.probability);
				expect(other.probability).toEqual(invertedKept.probability);
			}
			await expect(three.predict({...input, keepMembers: false, into: new Float32Array(10)})).rejects.toThrow(
				/buffer for the mean holds 10 values/,
			);
		} finally {
			await three.close();
		}
	});

	it('sliding windows over a translation-equivariant model equal whole-image inference (no seams)', async () => {
		const {images} = await fixtureImages();
		const image = images[0];
		expect(image.width).toBe(image.height);
		const dir = await tempDir();
		// The same model told that its tile is the whole image: resize mode then runs it once on the whole image.
		const whole = await tinyCopy(dir, 'tiny-whole', {tile_size: image.width});
		const sliding = await openEnsemble({models: [tinyModel], mode: 'sliding', provider: 'cpu', batchSize: 3});
		const reference = await openEnsemble({models: [whole], mode: 'resize', provider: 'cpu'});
		try {
			const input = {
				id: 'a',
				rgb: {data: image.rgb, width: image.width, height: image.height},
				outWidth: image.width,
				outHeight: image.height,
			};
			const [windowed, full] = await Promise.all([sliding.predict(input), reference.predict(input)]);
			// Windows reach past the image's edge, where they see zero inputs instead of the layers' own zero padding:
			// the outermost pixels (the receptive field of the tiny net's inner layers) differ, no others.
			const inner = (plane: Float32Array) =>
				plane.filter((_, i) => {
					const [x, y] = [i % image.width, Math.floor(i / image.width)];
					return Math.min(x, y, image.width - 1 - x, image.height - 1 - y) >= 2;
				});
			expect(maxAbsDiff(inner(windowed.probability), inner(full.probability))).toBeLessThan(5e-4);
		} finally {
			await Promise.all([sliding.close(), reference.close()]);
		}
	});

	it('gives probability 0 where the DSM has no data', async () => {
		const {model, images} = await fixtureImages();
		const image = images[1];
		const ensemble = await openEnsemble({models: [model ?? tinyModel], provider: 'cpu'});
		try {
			const dsm = image.dsm.slice();
			const nodata = -9999;
			for (let y = 0; y < image.height; y++) for (let x = 0; x < 20; x++) dsm[y * image.width + x] = nodata;
			dsm[5 * image.width + 60] = Number.NaN;
			const {probability} = await ensemble.predict({
				id: 'b',
				rgb: {data: image.rgb, width: image.width, height: image.height},
				dsm: {data: dsm, width: image.width, height: image.height, nodata},
				outWidth: image.width,
				outHeight: image.height,
			});
			for (let y = 0; y < image.height; y++)
				for (let x = 0; x < 20; x++) expect(probability[y * image.width + x]).toBe(0);
			expect(probability[5 * image.width + 60]).toBe(0);
		} finally {
			await ensemble.close();
		}
	});

	it('gives a tile the same probabilities in a buffer another tile used before', async () => {
		const {model} = await fixtureImages();
		const random = (length: number, scale: number) => Float32Array.from({length}, (_, i) => ((i * 7919) % 251) * scale);
		// 56×50 with the RGB's nodata and 64×50 without it take the same bytes (8 and 7 a pixel), so the second
		// is shared in the first's buffer.
		const tile = (id: string, width: number, height: number, withNodata: boolean) => ({
			id,
			rgb: {data: Uint8Array.from(random(width * height * 3, 1)), width, height},
			dsm: {data: random(width * height, 0.1), width, height},
			...(withNodata && {rgbNodata: Uint8Array.from({length: width * height}, (_, i) => (i % 3 === 0 ? 1 : 0))}),
			outWidth: width,
			outHeight: height,
		});
		const first = tile('first', 56, 50, true);
		const second = tile('second', 64, 50, false);
		const reused = await openEnsemble({models: [model ?? tinyModel], provider: 'cpu'});
		const fresh = await openEnsemble({models: [model ?? tinyModel], provider: 'cpu'});
		try {
			await reused.predict(first);
			const [after, alone] = await Promise.all([reused.predict(second), fresh.predict(second)]);
			expect(after.probability).toEqual(alone.probability);
		} finally {
			await Promise.all([reused.close(), fresh.close()]);
		}
	});

	it('rejects pending work when aborted and refuses new work', async () => {
		const controller = new AbortController();
		const ensemble = await openEnsemble({
			models: [tinyModel],
			provider: 'cpu',
			mode: 'sliding',
			signal: controller.signal,
		});
		const input = await firstImageInput('x', 64, 64);
		const pending = Array.from({length: 6}, (_, i) => ensemble.predict({...input, id: `x${i}`}));
		controller.abort();
		const results = await Promise.allSettled(pending);
		expect(results.some((result) => result.status === 'rejected')).toBe(true);
		for (const result of results)
			if (result.status === 'rejected') expect((result.reason as Error).name).toBe('AbortError');
		await expect(ensemble.predict(input)).rejects.toMatchObject({name: 'AbortError'});
		await ensemble.close();
	});
});

describe('resize mode against PyTorch', () => {
	it('matches the reference probabilities of the recipe (thresholded agreement ≥ 99.5%)', async () => {
		const {model, images} = await fixtureImages();
		expect(model, 'test/fixtures/infer/resize/index.json names the model (run models/recipe/make.sh)').toBeDefined();
		const ensemble = await openEnsemble({models: [model!], provider: 'cpu', mode: 'resize'});
		try {
			for (const image of images) {
				const {probability} = await ensemble.predict({
					id: image.name,
					rgb: {data: image.rgb, width: image.width, height: image.height},
					dsm: {data: image.dsm, width: image.width, height: image.height},
					outWidth: image.width,
					outHeight: image.height,
				});
				const reference = image.reference!;
				let agree = 0;
				for (let i = 0; i < reference.length; i++) if (probability[i] >= 0.5 === reference[i] >= 0.5) agree++;
				expect(agree / reference.length, image.name).toBeGreaterThanOrEqual(0.995);
				expect(maxAbsDiff(probability, reference), image.name).toBeLessThan(1e-3);
			}
		} finally {
			await ensemble.close();
		}
	});
});
