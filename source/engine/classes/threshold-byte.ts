/**
 * Probabilities travel as bytes: p × 255 rounded. `p ≥ threshold` is on bytes `byte ≥ thresholdByte(threshold)`,
 * so masks made from the stored probability files match the ones made during inference.
 */

/**
 * Probabilities as bytes; values outside 0..1 (a model without its final sigmoid) clamp, never wrap, and NaN is 0.
 * Written as comparisons and a truncating store rather than Math.round(min(max(…))): twice as fast on the run's
 * main thread, and the same byte for every float32 (p × 255 + 0.5 is exact in a double, so truncating it rounds
 * half up as Math.round does).
 */
export function probabilityBytes(probability: Float32Array): Uint8Array {
	const bytes = new Uint8Array(probability.length);
	for (let i = 0; i < probability.length; i++) {
		const p = probability[i];
		bytes[i] = p > 0 ? (p < 1 ? p * 255 + 0.5 : 255) : 0;
	}
	return bytes;
}

/** The smallest byte b with b / 255 ≥ threshold (the epsilon forgives 0.5 × 255 style float noise). */
export function thresholdByte(threshold: number): number {
	if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`threshold ${threshold} is outside 0..1`);
	return Math.max(0, Math.min(256, Math.ceil(threshold * 255 - 1e-9)));
}
