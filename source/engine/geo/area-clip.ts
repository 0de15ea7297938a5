/** Clipping a tile to the plan's area: which of its pixels lie outside, and the value they take in masks. */
import {outsideMask} from './area-cover.js';
import type {Plan, Tile} from './plan.js';

/** Mask and label value outside the area: nodata (class ids run from 0, far below it). */
export const outsideAreaValue = 255;

export type ClippedPlan = Pick<Plan, 'area' | 'adjusted' | 'cellSize' | 'tileSize' | 'rows' | 'cols'>;

/** Whether the plan clips its outputs to an area. */
export function clipsToArea(plan: Pick<Plan, 'area'>): boolean {
	return plan.area?.clip === true;
}

/** 1 for each pixel of the tile outside the area; undefined without a clip or when the whole tile is inside. */
export function tileOutsideArea(plan: ClippedPlan, tile: Pick<Tile, 'row' | 'col' | 'width'>): Uint8Array | undefined {
	if (!plan.area?.clip) return undefined;
	const {adjusted, cellSize, tileSize, rows, cols} = plan;
	const grid = {xmin: adjusted.xmin, ymax: adjusted.ymax, cellSize, width: cols * tileSize, height: rows * tileSize};
	return outsideMask(plan.area.polygons, grid, tileSize, tile.row, tile.col);
}
