/**
 * Several classes: one plane per class id; a pixel is the class of its highest probability (the lower id on
 * a tie), or the rule's `below` class (background or uncertain) when that probability is below the winning
 * class's threshold (seg_thresh: the minimum winning probability).
 */
import type {ClassScheme} from '../scheme.js';
import type {DecisionRule} from '../threshold.js';
import {thresholdByte} from '../threshold-byte.js';

/** Per pixel, the largest byte over the planes. */
function winningProbability(probability: Uint8Array, pixels: number): Uint8Array {
	const best = probability.slice(0, pixels);
	for (let offset = pixels; offset < probability.length; offset += pixels) {
		for (let i = 0; i < pixels; i++) if (probability[offset + i] > best[i]) best[i] = probability[offset + i];
	}
	return best;
}

export function argmaxMask(
	probability: Uint8Array,
	pixels: number,
	rule: DecisionRule,
	nodata?: Uint8Array,
): Uint8Array {
	const cuts = rule.thresholds.map(thresholdByte);
	const mask = new Uint8Array(pixels);
	const best = probability.slice(0, pixels);
	for (let id = 1, offset = pixels; offset < probability.length; id++, offset += pixels) {
		for (let i = 0; i < pixels; i++) {
			if (probability[offset + i] > best[i]) {
				best[i] = probability[offset + i];
				mask[i] = id;
			}
		}
	}
	for (let i = 0; i < pixels; i++) if (best[i] < cuts[mask[i]]) mask[i] = rule.below;
	if (nodata) for (let i = 0; i < nodata.length; i++) if (nodata[i]) mask[i] = 0;
	return mask;
}

export const multiclassScheme: ClassScheme = {
	takes: (classCount) => classCount > 2,
	planes: (classCount) => classCount,
	decide: argmaxMask,
	confidence: winningProbability,
};
