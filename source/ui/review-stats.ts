import type {TileStats} from '../engine/index.js';

export type TileSort = 'foreground' | 'uncertainty' | 'disagreement';
export const tileSorts: TileSort[] = ['foreground', 'uncertainty', 'disagreement'];

/** How much the members disagree on a tile: 1 − their mean pairwise IoU (0 with one model or no foreground). */
export function tileDisagreement(tile: TileStats): number {
	const ious = tile.pairs.map((pair) => pair.iou).filter((iou): iou is number => iou !== null);
	return ious.length ? 1 - ious.reduce((sum, iou) => sum + iou, 0) / ious.length : 0;
}

function sortKey(tile: TileStats, sort: TileSort): number {
	if (sort === 'foreground') return tile.foregroundFraction;
	if (sort === 'uncertainty') return tile.uncertainFraction;
	return tileDisagreement(tile);
}

/** Highest first; ties by tile id so the order is stable. */
export function sortTiles(tiles: TileStats[], sort: TileSort): TileStats[] {
	return [...tiles].sort((a, b) => sortKey(b, sort) - sortKey(a, sort) || a.id.localeCompare(b.id));
}

/** IoU of members a and b (1 on the diagonal), from the pair list. */
export function pairIou(pairs: Array<{a: string; b: string; iou: number | null}>, a: string, b: string): number | null {
	if (a === b) return 1;
	return pairs.find((pair) => (pair.a === a && pair.b === b) || (pair.a === b && pair.b === a))?.iou ?? null;
}
