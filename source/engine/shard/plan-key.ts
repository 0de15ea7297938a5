/** What makes two run folders (or shards) the same plan: the grid, not how the extent was typed. */
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {UserError} from '../../errors.js';
import {runFiles} from '../run-folder/paths.js';
import type {Plan} from '../geo/plan.js';
import {parsePlan} from '../geo/plan-schema.js';

export type PlanKey = Pick<Plan, 'crs' | 'epsg' | 'cellSize' | 'tileSize' | 'adjusted' | 'rows' | 'cols'> & {
	/** With an area: whether it clips, and how many of the grid's tiles it keeps. */
	area?: {clip: boolean; covered: number; skipped: number};
};

export function planKey(plan: PlanKey): PlanKey {
	const {crs, epsg, cellSize, tileSize, adjusted, rows, cols, area} = plan;
	return {
		...(area && {area: {clip: area.clip, covered: area.covered, skipped: area.skipped}}),
		crs,
		epsg,
		cellSize,
		tileSize,
		adjusted: {xmin: adjusted.xmin, ymin: adjusted.ymin, xmax: adjusted.xmax, ymax: adjusted.ymax},
		rows,
		cols,
	};
}

const areaText = (area: PlanKey['area']) =>
	area
		? `an area of ${area.covered} tiles (${area.skipped} skipped, ${area.clip ? 'clipped' : 'not clipped'})`
		: 'no area';

const extentText = (extent: PlanKey['adjusted']) => `${extent.xmin},${extent.ymin},${extent.xmax},${extent.ymax}`;

/** The differences between two plans, as "field a vs b" phrases; empty when they are the same grid. */
export function planDifferences(a: PlanKey, b: PlanKey): string[] {
	const differences: string[] = [];
	if (a.crs !== b.crs) differences.push(`CRS ${a.crs} vs ${b.crs}`);
	if (a.cellSize !== b.cellSize) differences.push(`cell size ${a.cellSize} vs ${b.cellSize}`);
	if (a.tileSize !== b.tileSize) differences.push(`tile size ${a.tileSize} vs ${b.tileSize}`);
	if (extentText(a.adjusted) !== extentText(b.adjusted))
		differences.push(`adjusted extent ${extentText(a.adjusted)} vs ${extentText(b.adjusted)}`);
	if (a.rows !== b.rows || a.cols !== b.cols) differences.push(`grid ${a.rows} × ${a.cols} vs ${b.rows} × ${b.cols}`);
	if (areaText(a.area) !== areaText(b.area)) differences.push(`${areaText(a.area)} vs ${areaText(b.area)}`);
	return differences;
}

/** plan.json of a run folder; UserError when the folder has none (no run has started there) or a damaged one. */
export async function readPlanFile(runDir: string): Promise<Plan> {
	const file = path.join(runDir, runFiles.plan);
	try {
		return parsePlan(JSON.parse(await readFile(file, 'utf8')));
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT')
			throw new UserError(
				`${runDir} has no ${runFiles.plan}: it is not a deepmask run folder, or no shard has started there yet`,
			);
		throw new UserError(
			`${file} cannot be read (${(error as Error).message}); rerun a shard into the folder to write it again`,
		);
	}
}
