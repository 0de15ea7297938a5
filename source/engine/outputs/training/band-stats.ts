/**
 * Per-band pixel statistics in the form ArcGIS accumulates them (esri_accumulated_stats.json
 * BandStatsState): count, mean (M1), sum of squared deviations from the mean (M2, Welford), min, max.
 * Chips are summarised exactly through a histogram, then merged pairwise (Chan et al.).
 */

export type BandStats = {count: number; mean: number; m2: number; min: number; max: number};

export const emptyBandStats: BandStats = {count: 0, mean: 0, m2: 0, min: 0, max: 0};

/** Statistics of each band of pixel-interleaved uint8 data. */
export function bandStatsOf(data: Uint8Array, bands: number): BandStats[] {
	const histograms = Array.from({length: bands}, () => new Float64Array(256));
	for (let i = 0; i < data.length; i += bands) for (let b = 0; b < bands; b++) histograms[b][data[i + b]]++;
	return histograms.map((histogram) => {
		let count = 0;
		let sum = 0;
		let min = -1;
		let max = 0;
		for (let v = 0; v < 256; v++) {
			if (histogram[v] === 0) continue;
			if (min < 0) min = v;
			max = v;
			count += histogram[v];
			sum += histogram[v] * v;
		}
		if (count === 0) return {...emptyBandStats};
		const mean = sum / count;
		let m2 = 0;
		for (let v = min; v <= max; v++) m2 += histogram[v] * (v - mean) ** 2;
		return {count, mean, m2, min, max};
	});
}

export function mergeBandStats(a: BandStats, b: BandStats): BandStats {
	if (a.count === 0) return b;
	if (b.count === 0) return a;
	const count = a.count + b.count;
	const delta = b.mean - a.mean;
	return {
		count,
		mean: a.mean + (delta * b.count) / count,
		m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count,
		min: Math.min(a.min, b.min),
		max: Math.max(a.max, b.max),
	};
}

/** Sample standard deviation, as ArcGIS reports it: sqrt(M2 / (count − 1)). */
export function standardDeviation(stats: BandStats): number {
	return stats.count > 1 ? Math.sqrt(stats.m2 / (stats.count - 1)) : 0;
}
