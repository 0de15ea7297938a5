/**
 * Class planes are plane-major in memory (plane p's pixel i at p × pixels + i); rasters are pixel-interleaved
 * (band b of pixel i at i × bands + b). One plane is the same in both.
 */

export function interleavePlanes(planar: Uint8Array, planes: number): Uint8Array {
	if (planes === 1) return planar;
	const pixels = planar.length / planes;
	const out = new Uint8Array(planar.length);
	for (let p = 0; p < planes; p++) for (let i = 0; i < pixels; i++) out[i * planes + p] = planar[p * pixels + i];
	return out;
}

export function separatePlanes(interleaved: Uint8Array, planes: number): Uint8Array {
	if (planes === 1) return interleaved;
	const pixels = interleaved.length / planes;
	const out = new Uint8Array(interleaved.length);
	for (let p = 0; p < planes; p++) for (let i = 0; i < pixels; i++) out[p * pixels + i] = interleaved[i * planes + p];
	return out;
}
