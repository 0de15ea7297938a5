import {describe, expect, it} from 'vitest';
import {probabilityBytes} from '../../source/engine/classes/threshold-byte.js';

/** The definition: p clamped to 0..1, times 255, rounded half up (NaN stored as 0). */
const byteOf = (p: number) => Math.round(Math.min(1, Math.max(0, p)) * 255);

describe('probabilityBytes', () => {
	it('rounds half steps up, clamps out-of-range values and stores NaN as 0', () => {
		const halfSteps = Array.from({length: 255}, (_, k) => Math.fround((k + 0.5) / 255));
		const values = [...halfSteps, 0, -0, 1, -1e-7, 1 + 1e-7, 7.5, -3, Infinity, -Infinity, NaN, 1 / 510, 0.5];
		const bytes = probabilityBytes(Float32Array.from(values));
		expect([...bytes]).toEqual(values.map((p) => (Number.isNaN(p) ? 0 : byteOf(Math.fround(p)))));
	});

	it('gives the definition’s byte for float32 values spread over every bit pattern', () => {
		const stride = 1021;
		const floats = new Float32Array(Math.floor(2 ** 32 / stride));
		const bits = new Uint32Array(floats.buffer);
		for (let i = 0; i < bits.length; i++) bits[i] = i * stride;
		const bytes = probabilityBytes(floats);
		let mismatches = 0;
		for (let i = 0; i < floats.length; i++) if (bytes[i] !== (byteOf(floats[i]) || 0)) mismatches++;
		expect(mismatches).toBe(0);
	});
});
