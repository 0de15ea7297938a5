/**
 * Several classes: one plane per class id; a pixel is the class of its highest probability (the lower id on
 * a tie), or background when that probability is below the threshold (seg_thresh: the minimum winning probability).
 */
import type {ClassScheme} from '../scheme.js';
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
	threshold: number,
	nodata?: Uint8Array,
): Uint8Array {
	const cut = thresholdByte(threshold);
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
	for (let i = 0; i < pixels; i++) if (best[i] < cut) mask[i] = 0;
	if (nodata) for (let i = 0; i < nodata.length; i++) if (nodata[i]) mask[i] = 0;
	return mask;
}

export const multiclassScheme: ClassScheme = {
	takes: (classCount) => classCount > 2,
	planes: (classCount) => classCount,
	decide: argmaxMask,
	confidence: winningProbability,
};
