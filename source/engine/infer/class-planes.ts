/**
 * A model's output for one batch item (channels × pixels) as class probability planes (planes × pixels):
 * one channel is the foreground's probability (sigmoid of a logit); two channels for one plane are
 * background and foreground (softmax over the two); otherwise one plane per channel (softmax over them).
 * Written into `into` when given (planes × pixels, every value), else into new planes.
 */
export function classPlanes(
	values: Float32Array,
	index: number,
	channels: number,
	pixels: number,
	planes: number,
	output: 'probabilities' | 'logits',
	into?: Float32Array,
): Float32Array {
	const base = index * channels * pixels;
	const logits = output === 'logits';
	if (channels === 1 && planes === 1) {
		const out = into ?? new Float32Array(pixels);
		for (let i = 0; i < pixels; i++) out[i] = logits ? 1 / (1 + Math.exp(-values[base + i])) : values[base + i];
		return out;
	}
	if (channels === 2 && planes === 1) {
		const out = into ?? new Float32Array(pixels);
		for (let i = 0; i < pixels; i++) {
			const background = values[base + i];
			const object = values[base + pixels + i];
			out[i] = logits ? 1 / (1 + Math.exp(background - object)) : object;
		}
		return out;
	}
	if (channels !== planes) throw new Error(`the model returned ${channels} channels for ${planes} class planes`);
	const source = values.subarray(base, base + channels * pixels);
	const out = into ?? new Float32Array(source.length);
	out.set(source);
	if (logits) softmax(out, channels, pixels);
	return out;
}

/** Softmax over the planes of each pixel, in place (the largest logit subtracted first, so exp cannot overflow). */
function softmax(planes: Float32Array, channels: number, pixels: number): void {
	for (let i = 0; i < pixels; i++) {
		let max = -Infinity;
		for (let c = 0; c < channels; c++) max = Math.max(max, planes[c * pixels + i]);
		let sum = 0;
		for (let c = 0; c < channels; c++) {
			const e = Math.exp(planes[c * pixels + i] - max);
			planes[c * pixels + i] = e;
			sum += e;
		}
		for (let c = 0; c < channels; c++) planes[c * pixels + i] /= sum;
	}
}
