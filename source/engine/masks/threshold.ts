/**
 * Probabilities travel as bytes: p × 255 rounded. A pixel is foreground when p ≥ threshold, which on
 * bytes is `byte ≥ thresholdByte(threshold)`, so masks made from the stored probability files match
 * the ones made during inference.
 */

/** The smallest byte b with b / 255 ≥ threshold (the epsilon forgives 0.5 × 255 style float noise). */
export function thresholdByte(threshold: number): number {
	if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`threshold ${threshold} is outside 0..1`);
	return Math.max(0, Math.min(256, Math.ceil(threshold * 255 - 1e-9)));
}

/** Mask 0/1 of `probability ≥ threshold`; pixels flagged in `nodata` are 0. */
export function thresholdMask(probability: Uint8Array, threshold: number, nodata?: Uint8Array): Uint8Array {
	const cut = thresholdByte(threshold);
	const mask = new Uint8Array(probability.length);
	for (let i = 0; i < probability.length; i++) mask[i] = probability[i] >= cut ? 1 : 0;
	if (nodata) for (let i = 0; i < nodata.length; i++) if (nodata[i]) mask[i] = 0;
	return mask;
}
