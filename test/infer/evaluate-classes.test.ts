/** deepmask eval and infer with a multi-class model: per-class scores against labels of class ids, masks of class ids. */
import {mkdir} from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import {describe, expect, it} from 'vitest';
import {evaluate} from '../../source/app/evaluate.js';
import {inferFolder} from '../../source/app/infer-folder.js';
import {writeLandcoverModel} from '../helpers/landcover-model.js';
import {tempDir} from './helpers.js';

const size = 128;
const half = size / 2;
// Quadrants the test model reads as background (light grey), building (red), road (dark) and tree (green).
const colours = [
	[200, 200, 200],
	[200, 30, 30],
	[20, 20, 20],
	[30, 200, 30],
];
const quadrantOf = (x: number, y: number) => (y < half ? 0 : 2) + (x < half ? 0 : 1);

async function writeImage(file: string, channels: 1 | 3, value: (x: number, y: number) => number[]): Promise<void> {
	const data = new Uint8Array(size * size * channels);
	for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data.set(value(x, y), (y * size + x) * channels);
	await sharp(data, {raw: {width: size, height: size, channels}})
		.png()
		.toFile(file);
}

describe('evaluating a multi-class model', () => {
	it('scores each class from labels of class ids, leaving out their no-data pixels', async () => {
		const dir = await tempDir();
		const model = writeLandcoverModel(dir);
		const input = path.join(dir, 'images');
		const labels = path.join(dir, 'labels');
		await Promise.all([mkdir(input), mkdir(labels)]);
		await writeImage(path.join(input, 'a.png'), 3, (x, y) => colours[quadrantOf(x, y)]);
		// The truth: the lower half of the tree quadrant is road, and the top row of the image has no label (255).
		await writeImage(path.join(labels, 'a.png'), 1, (x, y) => {
			if (y === 0) return [255];
			const id = [0, 1, 2, 3][quadrantOf(x, y)];
			return [id === 3 && y >= half + half / 2 ? 2 : id];
		});

		const report = await evaluate({models: [model], provider: 'cpu', input, labels});
		const ensemble = (id: number) => report.classes![id].scores.find((row) => row.name === 'ensemble')!;
		expect(report.classes!.map(({id, name}) => `${id} ${name}`)).toEqual([
			'0 background',
			'1 building',
			'2 road',
			'3 tree',
		]);
		const labelled = size * size - size;
		expect(ensemble(1)).toMatchObject({iou: 1, precision: 1, recall: 1, pixels: labelled});
		// Tree: predicted on the whole quadrant, true on half of it.
		expect(ensemble(3)).toMatchObject({iou: 0.5, precision: 0.5, recall: 1});
		// Road: the dark quadrant found, the mislabelled tree half missed.
		const road = ensemble(2);
		expect([road.precision, road.recall, road.iou]).toEqual([1, 4096 / 6144, 4096 / 6144]);
		// Any class against the background: right everywhere.
		expect(report.scores.map((row) => row.iou)).toEqual([1, 1]);
	});

	it('infers a folder into masks of class ids that score perfectly as labels', async () => {
		const dir = await tempDir();
		const model = writeLandcoverModel(dir);
		const input = path.join(dir, 'images');
		const out = path.join(dir, 'out');
		await mkdir(input);
		await writeImage(path.join(input, 'a.png'), 3, (x, y) => colours[quadrantOf(x, y)]);
		const {files} = await inferFolder({models: [model], provider: 'cpu', input, out, probabilities: true});
		expect(files[0].foreground).toBe(0.75);
		const mask = await sharp(files[0].mask).extractChannel(0).raw().toBuffer();
		expect([0, size - 1, size * (size - 1), size * size - 1].map((i) => mask[i])).toEqual([0, 1, 2, 3]);
		// The winning class's probability: sure on the red quadrant, below the threshold on the grey one.
		const winning = await sharp(files[0].probability!).extractChannel(0).raw().toBuffer();
		expect(winning[size - 1]).toBeGreaterThan(250);
		expect(winning[0]).toBeLessThan(0.4 * 255);

		const report = await evaluate({models: [model], provider: 'cpu', input, labels: path.join(out, 'masks')});
		for (const {scores} of report.classes!) for (const row of scores) expect(row.iou).toBe(1);
	});

	it('refuses labels of class ids the models do not have', async () => {
		const dir = await tempDir();
		const model = writeLandcoverModel(dir);
		const input = path.join(dir, 'images');
		const labels = path.join(dir, 'labels');
		await Promise.all([mkdir(input), mkdir(labels)]);
		await writeImage(path.join(input, 'b.png'), 3, () => colours[1]);
		await writeImage(path.join(labels, 'b.png'), 1, () => [7]);
		await expect(evaluate({models: [model], provider: 'cpu', input, labels})).rejects.toThrow(
			/b: the label holds class id 7, but the models have 4 classes/,
		);
	});

	it('scores against the demo scene land cover', async () => {
		const dir = await tempDir();
		const report = await evaluate({
			models: [writeLandcoverModel(dir)],
			provider: 'cpu',
			demoExtent: {xmin: 1000100, ymin: 6000100, xmax: 1000164, ymax: 6000164},
			cell: 0.5,
			tilePixels: 128,
		});
		expect(report.classes).toHaveLength(4);
		expect(report.scores[0].pixels).toBe(128 * 128);
		for (const {scores} of report.classes!) for (const row of scores) expect(row.iou).toBeGreaterThanOrEqual(0);
	});
});
