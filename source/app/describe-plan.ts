import type {Preset} from '../config/preset-schema.js';
import {downloadEstimate} from '../engine/fetch/download-estimate.js';
import type {Plan} from '../engine/geo/plan.js';
import {formatBytes, formatMapUnits} from './format.js';

export function formatExtent(extent: {xmin: number; ymin: number; xmax: number; ymax: number}): string {
	return [extent.xmin, extent.ymin, extent.xmax, extent.ymax].map(formatMapUnits).join(', ');
}

/** With an area: the tiles in it and those skipped, and the download the skipped ones save. */
function areaLines(plan: Plan, preset: Pick<Preset, 'tileSize' | 'layers'>): string[] {
	if (!plan.area) return [];
	const {source, covered, skipped, clip} = plan.area;
	const grid = plan.rows * plan.cols;
	return [
		`area           ${source}`,
		`tiles          ${covered} of ${grid} in the area, ${skipped} skipped (not fetched, inferred or written)`,
		`download       ≈ ${formatBytes(downloadEstimate(preset, covered))}, ${formatBytes(downloadEstimate(preset, skipped))} saved`,
		`clip           ${clip ? 'nodata outside the area' : 'off: whole tiles'}`,
	];
}

/** The plan for people: what was asked, what will be fetched, and why it grew. */
export function describePlan(plan: Plan, preset: Pick<Preset, 'tileSize' | 'layers'>): string {
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
		`grid           ${plan.rows} rows × ${plan.cols} cols = ${plan.rows * plan.cols} tiles`,
		...areaLines(plan, preset),
	].join('\n');
}
