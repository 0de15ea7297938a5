import type {DsmNorm} from './metadata.js';

/** A DSM sample is missing when it equals the raster's nodata value or is not a finite number. */
export function isNodata(value: number, nodata: number | undefined): boolean {
	return !Number.isFinite(value) || value === nodata;
}

/**
 * The ground level of a DSM tile for `ndsm`: the value at rank floor(p/100 × (n − 1)) of the tile's n valid
 * samples sorted ascending (p = `percentile`, default 2). "The tile" is the whole raster given to the
 * ensemble, never a sliding window. models/recipe/dataset.py (`ndsm_ground`) computes exactly the same.
 */
export function groundLevel(dsm: Float32Array, nodata: number | undefined, percentile: number): number {
	// Radix select on the samples' bits in number order, 16 bits a pass: two passes over the tile, nothing copied
	// (every model worker does this for every tile, and quickselect on a copy took most of its time on a DSM). The
	// first pass counts every sample; the missing ones are taken out of the counts after.
	const bits = new Uint32Array(dsm.buffer, dsm.byteOffset, dsm.length);
	const high = new Uint32Array(1 << 16);
	for (let i = 0; i < bits.length; i++) high[orderKey(bits[i]) >>> 16]++;
	// Infinities and NaNs: their keys lie above every finite sample's (upper bits ≥ 0xff80) or below them (≤ 0x007f).
	high.fill(0, 0, 0x80);
	high.fill(0, 0xff80);
	for (const missing of nodataSampleBits(nodata)) {
		const top = orderKey(missing) >>> 16;
		if (high[top] === 0) continue;
		let equal = 0;
		for (let i = 0; i < bits.length; i++) if (bits[i] === missing) equal++;
		high[top] -= equal;
	}
	let count = 0;
	for (let top = 0; top < high.length; top++) count += high[top];
	if (count === 0) return 0;
	let rank = Math.floor((percentile / 100) * (count - 1));
	let top = 0;
	while (rank >= high[top]) rank -= high[top++];
	// The keys of that top are the samples whose upper 16 bits are `upper` (finite: see above), so the second pass
	// tests the bits alone, and only those samples against `nodata`.
	const negative = top < 0x8000;
	const upper = negative ? ~top & 0xffff : top & 0x7fff;
	const flip = negative ? 0xffff : 0;
	const low = new Uint32Array(1 << 16);
	for (let i = 0; i < dsm.length; i++) {
		const sample = bits[i];
		if (sample >>> 16 === upper && dsm[i] !== nodata) low[(sample ^ flip) & 0xffff]++;
	}
	let bottom = 0;
	while (rank >= low[bottom]) rank -= low[bottom++];
	return valueOfKey(((top << 16) | bottom) >>> 0);
}

/**
 * The bits of the finite float32 samples equal to `nodata`, as unsigned integers: none when no finite float32 is
 * (no nodata, a NaN or infinite one, one that needs a double), both zeros' for 0 (−0 === 0).
 */
export function nodataSampleBits(nodata: number | undefined): number[] {
	if (nodata === undefined || !Number.isFinite(nodata) || Math.fround(nodata) !== nodata) return [];
	return nodata === 0 ? [0, 0x80000000] : [...new Uint32Array(Float32Array.of(nodata).buffer)];
}

/** A float32's bits as an unsigned key that sorts as Float32Array.sort orders the numbers (−0 before +0). */
function orderKey(bits: number): number {
	return (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;
}

function valueOfKey(key: number): number {
	return new Float32Array(Uint32Array.of((key & 0x80000000 ? key & 0x7fffffff : ~key) >>> 0).buffer)[0];
}

/** How a tile's DSM samples become the DSM channel (see dsmChannel). */
export type DsmScaling = {offset: number; lo: number; hi: number; scale: number; mean: number; std: number};

/** `mean` and `std`: the band's standardisation. */
export function dsmScaling(
	dsm: Float32Array,
	nodata: number | undefined,
	norm: DsmNorm,
	{mean, std} = {mean: 0, std: 1},
): DsmScaling {
	const offset = norm.mode === 'ndsm' ? groundLevel(dsm, nodata, norm.percentile) : 0;
	const [lo, hi] = norm.clip ?? [-Infinity, Infinity];
	return {offset, lo, hi, scale: norm.scale, mean, std};
}

/**
 * The DSM channel for `count` samples of the tile `scaling` was made for, from heights[from], into into[at …]:
 *   ndsm: clip(dsm − ground, clip) × scale
 *   raw:  clip(dsm, clip) × scale
 * rounded to float32, then standardised, (x − mean) / std. A missing sample gets 0 (the band's mean).
 */
export function dsmChannel(
	heights: Float32Array,
	from: number,
	count: number,
	nodata: number | undefined,
	scaling: DsmScaling,
	into: Float32Array,
	at: number,
): void {
	// In locals, and a loop rather than a function per sample: this runs for every sample of every DSM tile.
	const {offset, lo, hi, scale, mean, std} = scaling;
	for (let i = 0; i < count; i++) {
		const value = heights[from + i];
		into[at + i] = isNodata(value, nodata)
			? 0
			: (Math.fround(Math.min(hi, Math.max(lo, value - offset)) * scale) - mean) / std;
	}
}
