/**
 * Probabilities travel as bytes: p × 255 rounded. `p ≥ threshold` is on bytes `byte ≥ thresholdByte(threshold)`,
 * so masks made from the stored probability files match the ones made during inference.
 */

/** The smallest byte b with b / 255 ≥ threshold (the epsilon forgives 0.5 × 255 style float noise). */
export function thresholdByte(threshold: number): number {
	if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`threshold ${threshold} is outside 0..1`);
	return Math.max(0, Math.min(256, Math.ceil(threshold * 255 - 1e-9)));
}
