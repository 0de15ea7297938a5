/** The session's real input and output against the model's metadata: what is refused, and how it is said. */
import {describe, expect, it} from 'vitest';
import {checkSessionIo, type ValueInfo} from '../../source/engine/infer/io-check.js';
import type {ModelSpec} from '../../source/engine/infer/metadata.js';

const spec = (classNames: Record<string, string>): ModelSpec => ({
	name: 'm',
	path: '/models/m.onnx',
	classNames,
	tileSize: 256,
	tilesOverlap: 0,
	mean: [0, 0, 0],
	std: [1, 1, 1],
	threshold: 0.5,
	bands: ['R', 'G', 'B'],
	output: 'logits',
});
const input: ValueInfo = {name: 'x', isTensor: true, type: 'float32', shape: ['n', 3, 256, 256]};
const output = (shape: Array<number | string>): ValueInfo => ({name: 'y', isTensor: true, type: 'float32', shape});
const landcover = {0: 'background', 1: 'building', 2: 'road', 3: 'tree'};

describe('checkSessionIo', () => {
	it('takes one channel per class for a multi-class model, and one or two for a binary one', () => {
		expect(checkSessionIo(spec(landcover), [input], [output(['n', 4, 256, 256])]).outputChannels).toBe(4);
		expect(
			checkSessionIo(spec({0: 'background', 1: 'roof'}), [input], [output(['n', 1, 256, 256])]).outputChannels,
		).toBe(1);
	});

	it('says what output a multi-class model needs', () => {
		expect(() => checkSessionIo(spec(landcover), [input], [output(['n', 3, 256, 256])])).toThrow(
			/the output has 3 channels for 4 classes\. Export an N×4×H×W output/,
		);
		expect(() => checkSessionIo(spec(landcover), [input], [output(['n', 256, 256])])).toThrow(
			/not a 4-D float32 tensor .*deepmask expects an N×4×H×W output, one channel per class/,
		);
	});
});
