import {describe, expect, it} from 'vitest';
import {
	classConfigOf,
	customColorsOf,
	defaultClasses,
	withUncertain,
} from '../../source/engine/classes/class-config.js';
import {schemeOf} from '../../source/engine/classes/registry.js';
import {decisionRule, resolveThreshold, runClasses} from '../../source/engine/classes/threshold.js';

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
		expect([...scheme.decide(probability, 4, decisionRule(defaultClasses, 0.5))]).toEqual([0, 0, 1, 1]);
		expect([
			...scheme.decide(probability, 4, decisionRule(defaultClasses, 0.5), Uint8Array.from([0, 0, 0, 1])),
		]).toEqual([0, 0, 1, 0]);
	});

	it('is confident by the plane itself', () => {
		const probability = Uint8Array.from([3, 200]);
		expect(scheme.confidence(probability, 2)).toEqual(probability);
	});

	it('decides its class from the foreground cut on, as foregroundCut says', () => {
		const bytes = Uint8Array.from({length: 256}, (_, byte) => byte);
		for (const threshold of [0, 0.3, 0.5, 127 / 255, 0.999, 1]) {
			const rule = decisionRule(defaultClasses, threshold);
			const cut = scheme.foregroundCut!(rule);
			expect([...scheme.decide(bytes, 256, rule)]).toEqual([...bytes].map((byte) => (byte >= cut ? 1 : 0)));
		}
	});
});

describe('multiclass scheme', () => {
	const scheme = schemeOf(threeClasses);
	// Four pixels, three planes (background, building, tree), plane-major.
	const probability = Uint8Array.from([...[200, 20, 70, 80], ...[30, 200, 90, 85], ...[25, 35, 90, 90]]);

	it('takes the class of the highest probability, the lower id on a tie', () => {
		expect([...scheme.decide(probability, 4, decisionRule(threeClasses, 0))]).toEqual([0, 1, 1, 2]);
	});

	it('leaves pixels whose winning probability is below the threshold as background', () => {
		expect([...scheme.decide(probability, 4, decisionRule(threeClasses, 0.5))]).toEqual([0, 1, 0, 0]);
		expect([...scheme.decide(probability, 4, decisionRule(threeClasses, 0), Uint8Array.from([0, 1, 0, 0]))]).toEqual([
			0, 0, 1, 2,
		]);
	});

	it("marks pixels below the threshold uncertain, with their own class after the models' ones, when asked", () => {
		const uncertain = withUncertain(threeClasses);
		expect(uncertain.uncertain).toBe(3);
		expect(uncertain.planes).toBe(3);
		expect(uncertain.classes.at(-1)).toEqual({id: 3, name: 'uncertain', color: [190, 190, 190]});
		expect([...scheme.decide(probability, 4, decisionRule(uncertain, 0.5))]).toEqual([0, 1, 3, 3]);
		// No data stays background, never uncertain.
		expect([...scheme.decide(probability, 4, decisionRule(uncertain, 0.5), Uint8Array.from([0, 0, 1, 0]))]).toEqual([
			0, 1, 0, 3,
		]);
	});

	it('applies each class its own minimum winning probability', () => {
		// Tree wins pixel 3 at 90/255 = 0.35 and building pixel 2 at 90/255 (the lower id on a tie).
		const threshold = resolveThreshold({tree: 0.3}, 0.5, threeClasses);
		expect(threshold).toEqual({background: 0.5, building: 0.5, tree: 0.3});
		expect([...scheme.decide(probability, 4, decisionRule(threeClasses, threshold))]).toEqual([0, 1, 0, 2]);
		expect([
			...scheme.decide(probability, 4, decisionRule(threeClasses, {background: 0.9, building: 0.3, tree: 0.5})),
		]).toEqual([0, 1, 1, 0]);
	});

	it('refuses a threshold for a class the models do not have, and gives a binary model one number', () => {
		expect(() => resolveThreshold({roof: 0.3}, 0.5, threeClasses)).toThrow(
			'threshold names "roof", not a class of the models; their classes: background, building, tree',
		);
		expect(resolveThreshold({foreground: 0.7}, 0.5, defaultClasses)).toBe(0.7);
		expect(resolveThreshold({}, 0.5, defaultClasses)).toBe(0.5);
		expect(resolveThreshold(undefined, 0.4, threeClasses)).toBe(0.4);
	});

	it('adds the uncertain class only when asked, and only to multi-class models', () => {
		expect(runClasses(threeClasses)).toBe(threeClasses);
		expect(runClasses(threeClasses, 'uncertain').uncertain).toBe(3);
		expect(() => runClasses(defaultClasses, 'uncertain')).toThrow(/"uncertain" is for multi-class models/);
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
