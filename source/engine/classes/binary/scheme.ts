/** One class against background: a single plane, the class's probability; a pixel is the class where p ≥ threshold. */
import type {ClassScheme} from '../scheme.js';
import {thresholdByte} from '../threshold-byte.js';

/** Mask 0/1 of `probability ≥ threshold`; pixels flagged in `nodata` are 0. */
export function thresholdMask(
	probability: Uint8Array,
	pixels: number,
	threshold: number,
	nodata?: Uint8Array,
): Uint8Array {
	const cut = thresholdByte(threshold);
	const mask = new Uint8Array(pixels);
	for (let i = 0; i < pixels; i++) mask[i] = probability[i] >= cut ? 1 : 0;
	if (nodata) for (let i = 0; i < nodata.length; i++) if (nodata[i]) mask[i] = 0;
	return mask;
}

export const binaryScheme: ClassScheme = {
	takes: (classCount) => classCount === 2,
	planes: () => 1,
	decide: (probability, pixels, rule, nodata) => thresholdMask(probability, pixels, rule.thresholds[1], nodata),
	confidence: (probability, pixels) => probability.subarray(0, pixels),
	foregroundCut: (rule) => thresholdByte(rule.thresholds[1]),
};
