import {describe, expect, it} from 'vitest';
import {classPlanes} from '../../source/engine/infer/class-planes.js';
import {Blender} from '../../source/engine/infer/windows.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('classPlanes', () => {
	it('takes one channel as the foreground probability, through a sigmoid for logits', () => {
		const values = Float32Array.from([0, 2, -1, 3]);
		expect([...classPlanes(values, 1, 1, 2, 1, 'probabilities')]).toEqual([-1, 3]);
		expect(classPlanes(values, 0, 1, 2, 1, 'logits')[1]).toBeCloseTo(sigmoid(2), 6);
	});

	it('takes the second of two channels as the foreground plane of a binary model', () => {
		const values = Float32Array.from([0.9, 0.2, 0.1, 0.8]);
		expect(classPlanes(values, 0, 2, 2, 1, 'probabilities')).toEqual(Float32Array.from([0.1, 0.8]));
		expect(classPlanes(Float32Array.from([1, 0, 0, 2]), 0, 2, 2, 1, 'logits')[0]).toBeCloseTo(sigmoid(-1), 6);
	});

	it('makes a plane per channel, softmax over them for logits', () => {
		// Two batch items of three channels × two pixels; the second item is taken.
		const values = Float32Array.from([...[9, 9, 9, 9, 9, 9], ...[0, 1000, Math.log(2), 1000, Math.log(3), 1000]]);
		const planes = classPlanes(values, 1, 3, 2, 3, 'logits');
		expect([planes[0], planes[2], planes[4]].map((p) => p.toFixed(6))).toEqual(
			[1 / 6, 2 / 6, 3 / 6].map((p) => p.toFixed(6)),
		);
		expect([planes[1], planes[3], planes[5]].map((p) => p.toFixed(6))).toEqual(
			[1 / 3, 1 / 3, 1 / 3].map((p) => p.toFixed(6)),
		);
		expect([...classPlanes(values, 1, 3, 2, 3, 'probabilities')]).toEqual([...values.subarray(6)]);
	});

	it('refuses channels that match neither one plane nor the planes', () => {
		expect(() => classPlanes(new Float32Array(6), 0, 3, 2, 1, 'logits')).toThrow(/3 channels for 1 class planes/);
	});
});

describe('Blender with several planes', () => {
	it('blends each plane as a one-plane blender would', () => {
		const size = 4;
		const windows = [
			{x: 0, y: 0},
			{x: 2, y: 1},
		];
		const predictions = windows.map((_, k) =>
			Float32Array.from({length: 2 * size * size}, (_, i) => (i * 7 + k * 13) % 11),
		);
		const both = new Blender(6, 5, size, 2);
		const single = [new Blender(6, 5, size), new Blender(6, 5, size)];
		windows.forEach((window, k) => {
			both.add(window, predictions[k]);
			single.forEach((blender, p) =>
				blender.add(window, predictions[k].subarray(p * size * size, (p + 1) * size * size)),
			);
		});
		expect(both.result()).toEqual(Float32Array.from([...single[0].result(), ...single[1].result()]));
	});
});
