/**
 * 16-bit and float imagery to 8 bits, reproducibly: each band's [min, max] maps linearly onto 0..255 and
 * values beyond are clamped. The range is the service's own statistics (minValues/maxValues) or the preset's
 * `stretch`, the same for every tile, so tiles agree at their borders and a rerun gives the same bytes.
 */
export type Stretch = {min: number[]; max: number[]};

export function stretchToU8(data: Float32Array, bands: number, stretch: Stretch): Uint8Array {
	const out = new Uint8Array(data.length);
	for (let k = 0; k < data.length; k++) {
		const band = k % bands;
		const low = stretch.min[band];
		const span = stretch.max[band] - low;
		const value = Math.round(((data[k] - low) / span) * 255);
		out[k] = Number.isNaN(value) ? 0 : Math.min(255, Math.max(0, value));
	}
	return out;
}
