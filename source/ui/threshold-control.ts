/**
 * The review's threshold control: one threshold for every class, or (multi-class, `t`) one per class, where
 * `+`/`-` move the shown class's (`c`) or, with every class shown, each class's.
 */
import type {Threshold} from '../engine/index.js';

const lowest = 0.05;
const highest = 0.95;

function move(value: number, step: number): number {
	return Math.round(Math.min(highest, Math.max(lowest, value + step)) * 100) / 100;
}

/** The threshold moved by `step`: the one, or the class `shown`'s when the threshold has one, else every class's. */
export function stepThreshold(threshold: Threshold, step: number, shown?: string): Threshold {
	if (typeof threshold === 'number') return move(threshold, step);
	const one = shown !== undefined && shown in threshold;
	return Object.fromEntries(
		Object.entries(threshold).map(([name, value]) => [name, !one || name === shown ? move(value, step) : value]),
	);
}

/** Per class (every one of `classes` at the one value) ↔ one for all (the shown class's, else the highest). */
export function toggleThreshold(threshold: Threshold, classes: string[], shown?: string): Threshold {
	if (typeof threshold === 'number') return Object.fromEntries(classes.map((name) => [name, threshold]));
	return threshold[shown ?? ''] ?? Math.max(...Object.values(threshold));
}

/** The threshold the histogram marks and the overall pane shows: the one, the shown class's, or undefined (several). */
export function shownThreshold(threshold: Threshold, shown?: string): number | undefined {
	if (typeof threshold === 'number') return threshold;
	return threshold[shown ?? ''];
}

/** "0.45–0.60" over the classes' thresholds. */
export function thresholdRange(threshold: Threshold): string {
	const values = typeof threshold === 'number' ? [threshold] : Object.values(threshold);
	const [low, high] = [Math.min(...values), Math.max(...values)];
	return low === high ? low.toFixed(2) : `${low.toFixed(2)}–${high.toFixed(2)}`;
}
