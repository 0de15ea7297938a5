/**
 * A run's threshold: one for every class, or one per class name. For a binary model it is the class's
 * probability threshold; for a multi-class one, the minimum winning probability (below it a pixel is background,
 * or uncertain when the preset says so).
 */
import {UserError} from '../../errors.js';
import {withUncertain, type ClassConfig} from './class-config.js';

export type Threshold = number | Readonly<Record<string, number>>;

/** How a scheme decides a pixel: the threshold of each class id, and the class of pixels below their winner's. */
export type DecisionRule = {thresholds: number[]; below: number};

/** The threshold of class `id` (0 for classes the threshold does not name, such as uncertain: never applied). */
export function thresholdOf(threshold: Threshold, classes: ClassConfig, id: number): number {
	if (typeof threshold === 'number') return threshold;
	return threshold[classes.classes[id]?.name ?? ''] ?? 0;
}

export function decisionRule(classes: ClassConfig, threshold: Threshold): DecisionRule {
	return {
		thresholds: classes.classes.map((info) => thresholdOf(threshold, classes, info.id)),
		below: classes.uncertain ?? classes.background,
	};
}

export function sameThreshold(a: Threshold, b: Threshold): boolean {
	return JSON.stringify(a) === JSON.stringify(b);
}

/** "0.50", or "background 0.50, building 0.60, …". */
export function thresholdText(threshold: Threshold): string {
	if (typeof threshold === 'number') return threshold.toFixed(2);
	return Object.entries(threshold)
		.map(([name, value]) => `${name} ${value.toFixed(2)}`)
		.join(', ');
}

/** The classes a threshold is given for: a binary model's one class, or every class of a multi-class model. */
export function thresholdClasses(classes: ClassConfig): string[] {
	const decided = classes.classes.filter((info) => info.id !== classes.uncertain);
	return (classes.planes === 1 ? decided.filter((info) => info.id !== classes.background) : decided).map(
		(info) => info.name,
	);
}

/**
 * The run's threshold from the preset's: a number as it is; per class name, every class the models have (those
 * not named take `fallback`, the models' seg_thresh). A binary model has one threshold, so its one class's number.
 */
export function resolveThreshold(given: Threshold | undefined, fallback: number, classes: ClassConfig): Threshold {
	if (given === undefined || typeof given === 'number') return given ?? fallback;
	const names = thresholdClasses(classes);
	const unknown = Object.keys(given).filter((name) => !names.includes(name));
	if (unknown.length > 0)
		throw new UserError(
			`threshold names ${unknown.map((name) => `"${name}"`).join(', ')}, not a class of the models; their classes: ${names.join(', ')}`,
		);
	if (classes.planes === 1) return given[names[0]] ?? fallback;
	return Object.fromEntries(names.map((name) => [name, given[name] ?? fallback]));
}

/** The run's classes: the models', with an uncertain class when the preset's classes.belowThreshold asks for one. */
export function runClasses(
	models: ClassConfig,
	belowThreshold: 'background' | 'uncertain' = 'background',
): ClassConfig {
	if (belowThreshold === 'background') return models;
	if (models.planes === 1)
		throw new UserError(
			'classes.belowThreshold "uncertain" is for multi-class models: a binary model\'s threshold is its decision; leave it out or set it to "background"',
		);
	return withUncertain(models);
}
