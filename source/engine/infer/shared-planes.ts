/**
 * Input planes several members of an ensemble need alike (the RGB bands resized to one model size and standardised
 * alike: the usual ensemble, trained on one dataset), made by the first member's worker that asks and read by the
 * others, in a slot of the tile's shared buffer: one resize per tile instead of one per member.
 *
 * A slot is an int32 state (free, being made, made, failed) followed by the float32 planes. Whoever finds it free
 * makes the planes; the others wait for them. If the maker fails, or the wait runs past `patienceMs` (its thread
 * ended), a waiter makes its own copy: sharing only ever saves work, it is never needed for a result.
 */
import {rgbInputSpec} from './preprocess.js';
import type {InputSpec} from './protocol.js';

const free = 0;
const making = 1;
const made = 2;
const failed = 3;

export function sharedPlanesBytes(values: number): number {
	return Int32Array.BYTES_PER_ELEMENT + values * Float32Array.BYTES_PER_ELEMENT;
}

/** Marks the slot at `offset` free (the main thread, before a tile's workers see it). */
export function clearSharedPlanes(buffer: SharedArrayBuffer, offset: number): void {
	Atomics.store(new Int32Array(buffer, offset, 1), 0, free);
}

export function sharedPlanes(
	buffer: SharedArrayBuffer,
	offset: number,
	values: number,
	make: (into: Float32Array) => void,
	patienceMs = 60_000,
): Float32Array {
	const state = new Int32Array(buffer, offset, 1);
	const planes = new Float32Array(buffer, offset + Int32Array.BYTES_PER_ELEMENT, values);
	if (Atomics.compareExchange(state, 0, free, making) === free) {
		try {
			make(planes);
			Atomics.store(state, 0, made);
		} catch (error) {
			Atomics.store(state, 0, failed);
			throw error;
		} finally {
			Atomics.notify(state, 0);
		}
		return planes;
	}
	Atomics.wait(state, 0, making, patienceMs);
	if (Atomics.load(state, 0) === made) return planes;
	const own = new Float32Array(values);
	make(own);
	return own;
}

/**
 * Where each member's R, G and B planes lie in a tile's shared planes buffer (undefined: the member makes its own),
 * and the buffer's size: members whose RGB planes are alike (the same model size and RGB standardisation, see
 * rgbInputSpec) share a slot, when there are two or more of them.
 */
export function rgbPlaneSlots(members: Array<{input: InputSpec; size: number}>): {
	offsets: Array<number | undefined>;
	bytes: number;
} {
	const keys = members.map(({input, size}) => {
		const rgb = rgbInputSpec(input);
		return rgb && JSON.stringify([size, rgb.mean, rgb.std]);
	});
	const slots = new Map<string, number>();
	let bytes = 0;
	const offsets = keys.map((key, index) => {
		if (key === undefined || keys.filter((other) => other === key).length < 2) return undefined;
		let offset = slots.get(key);
		if (offset === undefined) {
			slots.set(key, (offset = bytes));
			bytes += sharedPlanesBytes(3 * members[index].size ** 2);
		}
		return offset;
	});
	return {offsets, bytes};
}
