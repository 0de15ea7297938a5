import {describe, expect, it} from 'vitest';
import {classConfigOf, customColorsOf, defaultClasses} from '../../source/engine/classes/class-config.js';
import {schemeOf} from '../../source/engine/classes/registry.js';

const threeClasses = classConfigOf({'0': 'background', '1': 'building', '2': 'tree'});

describe('classConfigOf', () => {
	it('picks the binary scheme and one plane for two classes', () => {
		expect(defaultClasses).toMatchObject({scheme: 'binary', planes: 1, background: 0});
	});

	it('picks the multiclass scheme and a plane per class for more', () => {
		expect(threeClasses).toMatchObject({scheme: 'multiclass', planes: 3, background: 0});
		expect(threeClasses.classes.map((info) => info.name)).toEqual(['background', 'building', 'tree']);
	});
});

describe('binary scheme', () => {
	const scheme = schemeOf(defaultClasses);

	it('marks the class where the probability byte reaches the threshold, background where there is no data', () => {
		const probability = Uint8Array.from([0, 127, 128, 255]);
		expect([...scheme.decide(probability, 4, 0.5)]).toEqual([0, 0, 1, 1]);
		expect([...scheme.decide(probability, 4, 0.5, Uint8Array.from([0, 0, 0, 1]))]).toEqual([0, 0, 1, 0]);
	});

	it('is confident by the plane itself', () => {
		const probability = Uint8Array.from([3, 200]);
		expect(scheme.confidence(probability, 2)).toEqual(probability);
	});
});

describe('multiclass scheme', () => {
	const scheme = schemeOf(threeClasses);
	// Four pixels, three planes (background, building, tree), plane-major.
	const probability = Uint8Array.from([...[200, 20, 70, 80], ...[30, 200, 90, 85], ...[25, 35, 90, 90]]);

	it('takes the class of the highest probability, the lower id on a tie', () => {
		expect([...scheme.decide(probability, 4, 0)]).toEqual([0, 1, 1, 2]);
	});

	it('leaves pixels whose winning probability is below the threshold as background', () => {
		expect([...scheme.decide(probability, 4, 0.5)]).toEqual([0, 1, 0, 0]);
		expect([...scheme.decide(probability, 4, 0, Uint8Array.from([0, 1, 0, 0]))]).toEqual([0, 0, 1, 2]);
	});

	it('is confident by the winning probability', () => {
		expect([...scheme.confidence(probability, 4)]).toEqual([200, 200, 90, 90]);
	});
});

describe('class colours', () => {
	it('takes class_colors where given and says which differ from the palette, as shard results carry them', () => {
		const coloured = classConfigOf(
			{'0': 'background', '1': 'building', '2': 'tree'},
			{'2': [0, 200, 0], '1': [255, 140, 0]},
		);
		expect(coloured.classes.map((info) => info.color)).toEqual([
			[0, 0, 0],
			[255, 140, 0],
			[0, 200, 0],
		]);
		// Building's colour is the palette's own: only the tree's needs carrying.
		expect(customColorsOf(coloured)).toEqual({'2': [0, 200, 0]});
		expect(customColorsOf(threeClasses)).toBeUndefined();
		expect(classConfigOf({'0': 'background', '1': 'building', '2': 'tree'}, customColorsOf(coloured))).toEqual(
			coloured,
		);
	});
});
