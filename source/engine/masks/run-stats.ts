import type {Threshold} from '../classes/threshold.js';
import type {Plan} from '../geo/plan.js';
import {compareStrips} from './borders.js';
import {mergeClassStats} from './class-stats.js';
import type {PostprocessReport, PostprocessSettings} from './postprocess.js';
import {
	fraction,
	histogramBins,
	overlap,
	uncertainMargin,
	type ComponentStats,
	type RunStats,
	type SeamStats,
	type TileStats,
} from './stats-types.js';

export type MergeContext = {
	plan: Pick<Plan, 'rows' | 'cols'>;
	threshold: Threshold;
	models: string[];
	postprocess: PostprocessSettings;
	/** The whole mosaic's components and post-processing (mosaic-summary.ts), in place of the tiles' sums. */
	mosaic?: MosaicStats;
};

/** Components of the whole mosaic: one cut by tile borders counts once. */
export type MosaicStats = {
	components: ComponentStats;
	postprocessed: PostprocessReport;
	/** A multi-class run's components of each class, by class id. */
	classComponents?: number[];
};

/** Overall statistics from per-tile ones: sums of counts, ratios recomputed from the sums (never averaged). */
export function mergeStats(tiles: TileStats[], context: MergeContext): RunStats {
	const sum = (value: (tile: TileStats) => number) => tiles.reduce((total, tile) => total + value(tile), 0);
	const pixels = sum((tile) => tile.pixels);
	const nodataPixels = sum((tile) => tile.nodataPixels);
	const validPixels = sum((tile) => tile.validPixels);
	const foregroundPixels = sum((tile) => tile.foregroundPixels);
	const uncertainPixels = sum((tile) => tile.uncertainPixels);
	const cellArea = tiles[0]?.cellArea ?? 0;

	const histogram = new Array<number>(histogramBins).fill(0);
	const log2Bins: number[] = [];
	let minPixels = 0;
	let maxPixels = 0;
	let count = 0;
	for (const tile of tiles) {
		tile.histogram.forEach((value, bin) => (histogram[bin] += value));
		tile.components.log2Bins.forEach((value, bin) => {
			while (log2Bins.length <= bin) log2Bins.push(0);
			log2Bins[bin] += value;
		});
		if (tile.components.count > 0) {
			minPixels = count === 0 ? tile.components.minPixels : Math.min(minPixels, tile.components.minPixels);
			maxPixels = Math.max(maxPixels, tile.components.maxPixels);
			count += tile.components.count;
		}
	}
	if (context.mosaic) {
		({count, minPixels, maxPixels} = context.mosaic.components);
		log2Bins.splice(0, log2Bins.length, ...context.mosaic.components.log2Bins);
	}

	const members = context.models.map((model, k) => {
		const foreground = sum((tile) => tile.members[k]?.foregroundPixels ?? 0);
		return {
			model,
			foregroundPixels: foreground,
			foregroundFraction: fraction(foreground, validPixels),
			vsEnsemble: overlap(
				sum((tile) => tile.members[k]?.vsEnsemble.intersection ?? 0),
				sum((tile) => tile.members[k]?.vsEnsemble.union ?? 0),
			),
		};
	});
	const pairs = (tiles[0]?.pairs ?? []).map(({a, b}, k) => ({
		a,
		b,
		...overlap(
			sum((tile) => tile.pairs[k].intersection),
			sum((tile) => tile.pairs[k].union),
		),
	}));

	const postprocessed: PostprocessReport = context.mosaic?.postprocessed ?? {
		removedComponents: sum((tile) => tile.postprocess.removedComponents),
		removedPixels: sum((tile) => tile.postprocess.removedPixels),
		filledHoles: sum((tile) => tile.postprocess.filledHoles),
		filledPixels: sum((tile) => tile.postprocess.filledPixels),
	};

	const stats: RunStats = {
		version: 1,
		threshold: context.threshold,
		uncertainMargin,
		postprocess: context.postprocess,
		connectivity: 8,
		models: context.models,
		tiles: tiles.length,
		cellArea,
		pixels,
		nodataPixels,
		nodataFraction: fraction(nodataPixels, pixels),
		validPixels,
		foregroundPixels,
		foregroundFraction: fraction(foregroundPixels, validPixels),
		foregroundArea: foregroundPixels * cellArea,
		components: {
			count,
			minPixels,
			maxPixels,
			log2Bins,
			minArea: minPixels * cellArea,
			maxArea: maxPixels * cellArea,
			meanArea: count === 0 ? 0 : (foregroundPixels * cellArea) / count,
			bins: log2Bins.map((value, bin) => ({
				fromArea: 2 ** bin * cellArea,
				toArea: 2 ** (bin + 1) * cellArea,
				count: value,
			})),
		},
		histogram: {bins: histogramBins, counts: histogram},
		uncertainPixels,
		uncertainFraction: fraction(uncertainPixels, validPixels),
		members,
		pairs,
		postprocessed,
		seams: seamStats(tiles, context.plan),
	};
	const classPixels = sumClassPixels(tiles);
	if (classPixels) stats.classPixels = classPixels;
	const perClass = mergeClassStats(tiles, validPixels, cellArea);
	if (perClass) Object.assign(stats, perClass);
	const classComponents = context.mosaic?.classComponents;
	if (classComponents) for (const entry of stats.classes ?? []) entry.components = classComponents[entry.id];
	return stats;
}

function sumClassPixels(tiles: TileStats[]): number[] | undefined {
	const counted = tiles.flatMap((tile) => (tile.classPixels ? [tile.classPixels] : []));
	if (counted.length === 0) return undefined;
	const total = new Array<number>(counted[0].length).fill(0);
	for (const counts of counted) counts.forEach((value, id) => (total[id] += value));
	return total;
}

/**
 * Disagreement between neighbouring tiles: a tile's last column against the first column of its right
 * neighbour, its bottom row against the top row of the tile below. The pixels compared are adjacent,
 * not the same, so object outlines crossing a seam disagree a little even between perfect tiles; a
 * shifted or misregistered neighbour disagrees much more.
 */
export function seamStats(tiles: TileStats[], plan: Pick<Plan, 'rows' | 'cols'>): SeamStats {
	const byPosition = new Map<number, TileStats>();
	for (const tile of tiles) byPosition.set(tile.row * plan.cols + tile.col, tile);
	const seams: SeamStats['worst'] = [];
	let comparedPixels = 0;
	let disagreeingPixels = 0;
	let foregroundPixels = 0;
	const compare = (a: TileStats, b: TileStats, horizontal: boolean) => {
		const length = horizontal ? a.height : a.width;
		if ((horizontal ? b.height : b.width) !== length) return;
		const result = horizontal
			? compareStrips(a.borders.right, b.borders.left, length, a.nodataBorders?.right, b.nodataBorders?.left)
			: compareStrips(a.borders.bottom, b.borders.top, length, a.nodataBorders?.bottom, b.nodataBorders?.top);
		if (result.compared === 0) return;
		comparedPixels += result.compared;
		disagreeingPixels += result.disagreeing;
		foregroundPixels += result.foreground;
		seams.push({
			a: a.id,
			b: b.id,
			compared: result.compared,
			disagreeing: result.disagreeing,
			foregroundDisagreement: result.foreground === 0 ? null : result.disagreeing / result.foreground,
		});
	};
	for (const tile of tiles) {
		const right = tile.col + 1 < plan.cols ? byPosition.get(tile.row * plan.cols + tile.col + 1) : undefined;
		const below = tile.row + 1 < plan.rows ? byPosition.get((tile.row + 1) * plan.cols + tile.col) : undefined;
		if (right) compare(tile, right, true);
		if (below) compare(tile, below, false);
	}
	const worst = seams
		.filter((seam) => seam.disagreeing > 0)
		.sort(
			(x, y) =>
				(y.foregroundDisagreement ?? 0) - (x.foregroundDisagreement ?? 0) ||
				y.disagreeing - x.disagreeing ||
				x.a.localeCompare(y.a) ||
				x.b.localeCompare(y.b),
		)
		.slice(0, 10);
	return {
		pairs: seams.length,
		comparedPixels,
		disagreeingPixels,
		disagreement: comparedPixels === 0 ? null : disagreeingPixels / comparedPixels,
		foregroundDisagreement: foregroundPixels === 0 ? null : disagreeingPixels / foregroundPixels,
		worst,
	};
}
