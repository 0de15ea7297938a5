import type {RunStats, TileStats} from '../engine/index.js';

type ClassStats = NonNullable<TileStats['classes']>[number];

export type TileSort = 'foreground' | 'uncertainty' | 'disagreement';
export const tileSorts: TileSort[] = ['foreground', 'uncertainty', 'disagreement'];

/**
 * How much the members disagree on a tile: 1 − their mean pairwise IoU (0 with one model or no foreground);
 * on class `classId` alone when given (a multi-class run's).
 */
export function tileDisagreement(tile: TileStats, classId?: number): number {
	const pairs = classId === undefined ? tile.pairs : (tile.classes?.[classId]?.pairs ?? []);
	const ious = pairs.map((pair) => pair.iou).filter((iou): iou is number => iou !== null);
	return ious.length ? 1 - ious.reduce((sum, iou) => sum + iou, 0) / ious.length : 0;
}

/** The tile's share of valid pixels of any class but the background, or of class `classId`. */
export function tileFraction(tile: TileStats, classId?: number): number {
	return classId === undefined ? tile.foregroundFraction : (tile.classes?.[classId]?.fraction ?? 0);
}

function sortKey(tile: TileStats, sort: TileSort, classId?: number): number {
	if (sort === 'foreground') return tileFraction(tile, classId);
	if (sort === 'uncertainty') return tile.uncertainFraction;
	return tileDisagreement(tile, classId);
}

/** Highest first; ties by tile id so the order is stable. By class `classId`'s figures when given. */
export function sortTiles(tiles: TileStats[], sort: TileSort, classId?: number): TileStats[] {
	return [...tiles].sort((a, b) => sortKey(b, sort, classId) - sortKey(a, sort, classId) || a.id.localeCompare(b.id));
}

/**
 * The class the review shows figures of after `current` (undefined: every class together): the classes but
 * the background in turn, then all again. A binary run has none to switch to.
 */
export function nextShownClass(classes: ClassStats[] | undefined, current: number | undefined): number | undefined {
	// Class 0 is the background (classConfigOf).
	const ids = (classes ?? []).map((info) => info.id).filter((id) => id !== 0);
	if (ids.length === 0) return undefined;
	if (current === undefined) return ids[0];
	return ids[ids.indexOf(current) + 1];
}

/** IoU of members a and b (1 on the diagonal), from the pair list. */
export function pairIou(pairs: Array<{a: string; b: string; iou: number | null}>, a: string, b: string): number | null {
	if (a === b) return 1;
	return pairs.find((pair) => (pair.a === a && pair.b === b) || (pair.a === b && pair.b === a))?.iou ?? null;
}

/**
 * The class the members most often mix class `classId` up with, from every pair's confusion: on what share of
 * the pixels either member of a pair calls `classId` the other calls it that class. Undefined without pairs.
 */
export function mostConfused(
	overall: Pick<RunStats, 'classes' | 'pairConfusion'>,
	classId: number,
): {name: string; fraction: number} | undefined {
	const pairs = overall.pairConfusion ?? [];
	const classes = overall.classes ?? [];
	if (pairs.length === 0 || !classes[classId]) return undefined;
	const mixed = new Array<number>(classes.length).fill(0);
	let either = 0;
	for (const {counts} of pairs) {
		for (let other = 0; other < counts.length; other++) {
			either += counts[classId][other] + (other === classId ? 0 : counts[other][classId]);
			if (other !== classId) mixed[other] += counts[classId][other] + counts[other][classId];
		}
	}
	const best = mixed.indexOf(Math.max(...mixed));
	return {name: classes[best].name, fraction: either === 0 ? 0 : mixed[best] / either};
}
