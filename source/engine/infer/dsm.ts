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
	// A plain loop: Float32Array.filter takes ten times as long on a whole tile.
	const buffer = new Float32Array(dsm.length);
	let count = 0;
	for (const value of dsm) if (!isNodata(value, nodata)) buffer[count++] = value;
	if (count === 0) return 0;
	return valueAtRank(buffer.subarray(0, count), Math.floor((percentile / 100) * (count - 1)));
}

/**
 * The value at `rank` of `values` sorted ascending as Float32Array.sort orders them (−0 before +0), found
 * by quickselect in linear time instead of sorting (every model worker does this for every tile). Reorders `values`.
 */
function valueAtRank(values: Float32Array, rank: number): number {
	let lo = 0;
	let hi = values.length - 1;
	while (lo < hi) {
		const pivot = values[(lo + hi) >>> 1];
		let i = lo;
		let j = hi;
		while (i <= j) {
			while (values[i] < pivot) i++;
			while (values[j] > pivot) j--;
			if (i <= j) {
				const swap = values[i];
				values[i++] = values[j];
				values[j--] = swap;
			}
		}
		// Now values[lo..j] ≤ pivot ≤ values[i..hi], and everything between equals the pivot.
		if (rank <= j) hi = j;
		else if (rank >= i) lo = i;
		else break;
	}
	const value = values[rank];
	if (value !== 0) return value;
	// −0 and +0 compare equal above; sorted, the −0s come first.
	let belowPlusZero = 0;
	for (const other of values) if (other < 0 || Object.is(other, -0)) belowPlusZero++;
	return rank < belowPlusZero ? -0 : 0;
}

/**
 * The DSM channel before standardisation (`(x - mean) / std` follows, with the band's mean and std):
 *   ndsm: clip(dsm − ground, clip) × scale
 *   raw:  clip(dsm, clip) × scale
 * Missing samples become NaN here; the caller sets their standardised value to 0.
 */
export function normaliseDsm(dsm: Float32Array, nodata: number | undefined, norm: DsmNorm): Float32Array {
	const offset = norm.mode === 'ndsm' ? groundLevel(dsm, nodata, norm.percentile) : 0;
	const [lo, hi] = norm.clip ?? [-Infinity, Infinity];
	const out = new Float32Array(dsm.length);
	for (let i = 0; i < dsm.length; i++) {
		const value = dsm[i];
		out[i] = isNodata(value, nodata) ? Number.NaN : Math.min(hi, Math.max(lo, value - offset)) * norm.scale;
	}
	return out;
}
