/**
 * Statistics per class of a multi-class run: each class's pixels, area and components in the final mask, and
 * how the members agree on it, from confusion matrices of their decisions (argmax at the threshold, before
 * post-processing) against the ensemble's and against each other's.
 */
import type {ClassConfig} from '../classes/class-config.js';
import {
	fraction,
	overlap,
	type ClassStats,
	type MemberConfusion,
	type Overlap,
	type PairConfusion,
} from './stats-types.js';

export type ClassStatsInput = {
	/** The final mask of class ids (after post-processing; nodata pixels background). */
	mask: Uint8Array;
	/** The ensemble's and each member's class ids before post-processing. */
	ensemble: Uint8Array;
	members: Uint8Array[];
	models: string[];
	classes: ClassConfig;
	cellArea: number;
	validPixels: number;
	/** 1 for pixels left out (no data, outside the area). */
	nodata?: Uint8Array;
	/** Components (8-connected) of each class id in `mask`. */
	componentCounts: number[];
};

/** counts[r][c]: valid pixels that `rows` says are class r and `columns` says are class c. */
export function confusionMatrix(
	rows: Uint8Array,
	columns: Uint8Array,
	classCount: number,
	nodata?: Uint8Array,
): number[][] {
	const flat = new Float64Array(classCount * classCount);
	for (let i = 0; i < rows.length; i++) if (!nodata?.[i]) flat[rows[i] * classCount + columns[i]]++;
	return Array.from({length: classCount}, (_, r) => Array.from(flat.subarray(r * classCount, (r + 1) * classCount)));
}

/** Per class, the overlap of the two decisions a confusion matrix compares. */
export function classOverlaps(counts: number[][]): Overlap[] {
	return counts.map((row, c) => {
		const inRow = row.reduce((total, value) => total + value, 0);
		const inColumn = counts.reduce((total, other) => total + other[c], 0);
		return overlap(row[c], inRow + inColumn - row[c]);
	});
}

export type ClassStatsResult = {classes: ClassStats[]; confusion: MemberConfusion[]; pairConfusion: PairConfusion[]};

export function tileClassStats(input: ClassStatsInput): ClassStatsResult {
	const {mask, ensemble, members, models, classes, cellArea, validPixels, nodata, componentCounts} = input;
	const count = classes.classes.length;
	const pixels = new Array<number>(count).fill(0);
	for (let i = 0; i < mask.length; i++) if (!nodata?.[i]) pixels[mask[i]]++;
	const confusion = members.map((member, k) => ({
		model: models[k],
		counts: confusionMatrix(member, ensemble, count, nodata),
	}));
	const memberOverlaps = confusion.map(({counts}) => classOverlaps(counts));
	const pairConfusion: PairConfusion[] = [];
	for (let a = 0; a < members.length; a++) {
		for (let b = a + 1; b < members.length; b++)
			pairConfusion.push({a: models[a], b: models[b], counts: confusionMatrix(members[a], members[b], count, nodata)});
	}
	const pairs = pairConfusion.map(({a, b, counts}) => ({a, b, overlaps: classOverlaps(counts)}));
	const stats = classes.classes.map(({id, name}): ClassStats => {
		const memberPixels = (k: number) => confusion[k].counts[id].reduce((total, value) => total + value, 0);
		return {
			id,
			name,
			pixels: pixels[id],
			fraction: fraction(pixels[id], validPixels),
			area: pixels[id] * cellArea,
			components: componentCounts[id],
			members: models.map((model, k) => ({model, pixels: memberPixels(k), vsEnsemble: memberOverlaps[k][id]})),
			pairs: pairs.map(({a, b, overlaps}) => ({a, b, ...overlaps[id]})),
		};
	});
	return {classes: stats, confusion, pairConfusion};
}

/** The run's per-class statistics from the tiles': sums of counts, ratios recomputed from the sums. */
export function mergeClassStats(
	tiles: Array<{classes?: ClassStats[]; confusion?: MemberConfusion[]; pairConfusion?: PairConfusion[]}>,
	validPixels: number,
	cellArea: number,
): ClassStatsResult | undefined {
	const counted = tiles.filter((tile) => tile.classes && tile.confusion);
	if (counted.length === 0) return undefined;
	const sum = (value: (tile: (typeof counted)[number]) => number) =>
		counted.reduce((total, tile) => total + value(tile), 0);
	const classes = counted[0].classes!.map(({id, name, members, pairs}, c): ClassStats => {
		const pixels = sum((tile) => tile.classes![c].pixels);
		return {
			id,
			name,
			pixels,
			fraction: fraction(pixels, validPixels),
			area: pixels * cellArea,
			components: sum((tile) => tile.classes![c].components),
			members: members.map(({model}, k) => ({
				model,
				pixels: sum((tile) => tile.classes![c].members[k].pixels),
				vsEnsemble: overlap(
					sum((tile) => tile.classes![c].members[k].vsEnsemble.intersection),
					sum((tile) => tile.classes![c].members[k].vsEnsemble.union),
				),
			})),
			pairs: pairs.map(({a, b}, k) => ({
				a,
				b,
				...overlap(
					sum((tile) => tile.classes![c].pairs[k].intersection),
					sum((tile) => tile.classes![c].pairs[k].union),
				),
			})),
		};
	});
	const confusion = counted[0].confusion!.map(({model, counts}, k) => ({
		model,
		counts: counts.map((row, r) => row.map((_, c) => sum((tile) => tile.confusion![k].counts[r][c]))),
	}));
	// Results of shards written before pairConfusion existed have none: then the run has none either.
	const pairConfusion = counted.every((tile) => tile.pairConfusion)
		? counted[0].pairConfusion!.map(({a, b, counts}, k) => ({
				a,
				b,
				counts: counts.map((row, r) => row.map((_, c) => sum((tile) => tile.pairConfusion![k].counts[r][c]))),
			}))
		: [];
	return {classes, confusion, pairConfusion};
}
