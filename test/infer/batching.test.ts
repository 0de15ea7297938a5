import {describe, expect, it} from 'vitest';
import {openEnsemble} from '../../source/engine/infer/ensemble.js';
import type {InferEvent, Prediction} from '../../source/engine/infer/types.js';
import {fixtureImages, tinyModel} from './helpers.js';

/** Every fixture image twice, given to the ensemble at once, so that the worker's queue holds enough to batch. */
async function predictAll(batchSize: number, events: InferEvent[]): Promise<Prediction[]> {
	const {images} = await fixtureImages();
	const ensemble = await openEnsemble({
		models: [tinyModel],
		provider: 'cpu',
		batchSize,
		onEvent: (event) => events.push(event),
	});
	try {
		return await Promise.all(
			[...images, ...images].map((image, index) =>
				ensemble.predict({
					id: `${index}`,
					rgb: {data: image.rgb, width: image.width, height: image.height},
					outWidth: image.width,
					outHeight: image.height,
				}),
			),
		);
	} finally {
		await ensemble.close();
	}
}

describe('batching (the GPU path, checked on the CPU)', () => {
	it('tiles run in batches of several give the same bytes as tiles run one by one', async () => {
		const batched: InferEvent[] = [];
		const single: InferEvent[] = [];
		const [together, alone] = [await predictAll(4, batched), await predictAll(1, single)];
		const batches = (events: InferEvent[]) =>
			events.flatMap((event) => (event.type === 'model-tile' ? [event.batch] : []));
		expect(Math.max(...batches(batched))).toBeGreaterThan(1);
		expect(Math.max(...batches(single))).toBe(1);
		expect(together).toHaveLength(alone.length);
		together.forEach((prediction, index) =>
			expect(Buffer.from(prediction.probability.buffer)).toEqual(Buffer.from(alone[index].probability.buffer)),
		);
	});
});
