import type {Plan} from '../engine/geo/plan.js';
import {formatMapUnits} from './format.js';

export function formatExtent(extent: {xmin: number; ymin: number; xmax: number; ymax: number}): string {
	return [extent.xmin, extent.ymin, extent.xmax, extent.ymax].map(formatMapUnits).join(', ');
}

/** The plan for people: what was asked, what will be fetched, and why it grew. */
export function describePlan(plan: Plan): string {
	const {adjusted, padding, requested} = plan;
	const width = adjusted.xmax - adjusted.xmin;
	const height = adjusted.ymax - adjusted.ymin;
	return [
		`CRS            ${plan.crs}`,
		`cell size      ${formatMapUnits(plan.cellSize)} map units, tiles of ${plan.tileSize}×${plan.tileSize} px`,
		`requested      ${formatExtent(requested)}`,
		`adjusted       ${formatExtent(adjusted)}  (${formatMapUnits(width)} × ${formatMapUnits(height)})`,
		`padding        left ${formatMapUnits(padding.left)}, right ${formatMapUnits(padding.right)}, top ${formatMapUnits(padding.top)}, bottom ${formatMapUnits(padding.bottom)}`,
		`snap           ${plan.snap.alignToGrid ? 'aligned to the global tile grid' : plan.snap.mode}`,
		`grid           ${plan.rows} rows × ${plan.cols} cols = ${plan.tiles.length} tiles`,
	].join('\n');
}
