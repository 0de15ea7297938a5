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
	const valid = dsm.filter((value) => !isNodata(value, nodata));
	if (valid.length === 0) return 0;
	valid.sort();
	return valid[Math.floor((percentile / 100) * (valid.length - 1))];
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
