import {UserError} from '../../errors.js';
import type {AreaFeatures, Bbox, Preset} from '../../config/preset-schema.js';
import {coveredTiles, type AreaCoordinates, type PixelGrid} from './area-cover.js';
import {areaInPlanCrs, boundsOf} from './area-transform.js';
import {currentCode, ensureCrs, transformExtent} from './crs.js';
import {pointOutsideCrs} from './crs-domain.js';
import {alignedSpan, snapSpan, spanCoordinate, type Span} from './grid.js';

export type Tile = {
	/** r000_c000: row from the top, column from the left. */
	id: string;
	row: number;
	col: number;
	bbox: Bbox;
	width: number;
	height: number;
};

export type Plan = {
	crs: string;
	epsg: number;
	cellSize: number;
	tileSize: number;
	snap: {mode: 'symmetric' | 'anchor'; alignToGrid: boolean};
	/** The requested extent in the plan CRS. */
	requested: Bbox;
	/** The grown extent: a whole number of tiles. */
	adjusted: Bbox;
	/** Map units added on each side. */
	padding: {left: number; right: number; top: number; bottom: number};
	rows: number;
	cols: number;
	/** The tiles to do: every tile of the grid, or with an area only those with a pixel inside it. */
	tiles: Tile[];
	area?: PlanArea;
};

/** The area of interest: tiles without a pixel in it are skipped (ids and grid stay those of the whole grid). */
export type PlanArea = {
	/** The layer read, with its filter. */
	source: string;
	/** Outside the area, masks, polygons, statistics and training labels are nodata. */
	clip: boolean;
	/** Tiles of the grid with a pixel in the area (the plan's tiles) and without. */
	covered: number;
	skipped: number;
	/** The area's polygons in the plan CRS (GeoJSON MultiPolygon coordinates). */
	polygons: AreaCoordinates;
};

export type PlanSettings = Pick<
	Preset,
	'extent' | 'area' | 'crs' | 'crsDefinition' | 'cellSize' | 'tileSize' | 'snap' | 'maxTiles'
>;

export function tileId(row: number, col: number): string {
	return `r${String(row).padStart(3, '0')}_c${String(col).padStart(3, '0')}`;
}

function checkExtent(extent: Bbox, crs: string): void {
	const {xmin, ymin, xmax, ymax} = extent;
	const text = `${xmin},${ymin},${xmax},${ymax}`;
	if (xmin > xmax || ymin > ymax) {
		throw new UserError(
			`the extent ${text} (${crs}) is inverted: xmin must be below xmax and ymin below ymax; swap them`,
		);
	}
	if (xmin === xmax || ymin === ymax) {
		throw new UserError(
			`the extent ${text} (${crs}) is empty (zero width or height); give xmin,ymin,xmax,ymax with xmin < xmax and ymin < ymax`,
		);
	}
	if (crs === 'EPSG:4326' && (xmin < -180 || xmax > 180 || ymin < -90 || ymax > 90)) {
		throw new UserError(
			`the extent ${text} is outside EPSG:4326 (longitude -180..180, latitude -90..90); did you mean another CRS?`,
		);
	}
}

function checkInsideCrs(extent: Bbox, crs: string): void {
	const outside = pointOutsideCrs(extent, crs);
	if (outside) {
		const {xmin, ymin, xmax, ymax} = extent;
		throw new UserError(
			`the extent ${xmin},${ymin},${xmax},${ymax} is outside the area ${crs} is defined for (its point ${outside.join(',')} is no place on Earth); check the coordinates and the extent's CRS`,
		);
	}
}

/** The extent in the plan CRS: the preset's, or the area's bounding box (within the preset's extent when both are given). */
function requestedExtent(settings: PlanSettings, area: AreaCoordinates | undefined, label: string): Bbox {
	const {extent} = settings;
	if (extent) checkExtent(extent, extent.crs);
	const given = extent && transformExtent(extent, extent.crs, settings.crs);
	if (!area) return given!;
	const bounds = boundsOf(area);
	if (!given) return bounds;
	const within = {
		xmin: Math.max(bounds.xmin, given.xmin),
		ymin: Math.max(bounds.ymin, given.ymin),
		xmax: Math.min(bounds.xmax, given.xmax),
		ymax: Math.min(bounds.ymax, given.ymax),
	};
	if (within.xmin >= within.xmax || within.ymin >= within.ymax)
		throw new UserError(
			`the area ${label} lies outside the extent ${extent.xmin},${extent.ymin},${extent.xmax},${extent.ymax} (${extent.crs}); remove the extent (the area's bounding box is used) or give one that overlaps the area`,
		);
	return within;
}

/**
 * Grow the extent to whole tiles and list every tile; with an area (`areaFeatures`, the layer read) only the
 * tiles with a pixel inside it. Pure: no I/O.
 */
export function makePlan(settings: PlanSettings, areaFeatures?: AreaFeatures): Plan {
	const {cellSize, tileSize, snap} = settings;
	if (settings.area && !areaFeatures)
		throw new Error(`the area ${settings.area.source} must be read before planning (app/area.ts withArea)`);
	ensureCrs(settings.crs, settings.crsDefinition);
	const area = settings.area && areaFeatures && areaInPlanCrs(areaFeatures, settings.crs);
	const requested = requestedExtent(settings, area, areaFeatures?.label ?? '');

	const tileCells = tileSize;
	const estimated =
		Math.ceil((requested.xmax - requested.xmin) / cellSize / tileCells) *
		Math.ceil((requested.ymax - requested.ymin) / cellSize / tileCells);
	if (!Number.isFinite(estimated) || estimated > settings.maxTiles) {
		throw new UserError(
			`the extent needs about ${Number.isFinite(estimated) ? estimated.toLocaleString('en') : 'infinitely many'} tiles of ${tileSize} px at ${cellSize} map units per pixel, more than maxTiles (${settings.maxTiles}); shrink the extent, raise cellSize or tileSize, or raise maxTiles (--set maxTiles=N)`,
		);
	}
	if (settings.extent) checkInsideCrs(settings.extent, settings.extent.crs);
	if (settings.extent?.crs !== settings.crs) checkInsideCrs(requested, settings.crs);

	let xSpan: Span;
	let ySpan: Span;
	if (snap.alignToGrid) {
		xSpan = alignedSpan(requested.xmin, requested.xmax, cellSize, tileCells);
		ySpan = alignedSpan(requested.ymin, requested.ymax, cellSize, tileCells);
	} else {
		xSpan = snapSpan(requested.xmin, requested.xmax, cellSize, tileCells, snap.mode);
		ySpan = snapSpan(requested.ymin, requested.ymax, cellSize, tileCells, snap.mode, true);
	}
	const cols = (xSpan.end - xSpan.start) / tileCells;
	const rows = (ySpan.end - ySpan.start) / tileCells;
	const x = (cell: number) => spanCoordinate(xSpan, cell, cellSize);
	const y = (cell: number) => spanCoordinate(ySpan, cell, cellSize);

	const adjusted = {xmin: x(xSpan.start), ymin: y(ySpan.start), xmax: x(xSpan.end), ymax: y(ySpan.end)};
	const grid: PixelGrid = {...adjusted, cellSize, width: cols * tileSize, height: rows * tileSize};
	const covered = area && coveredTiles(area, grid, tileSize, cols);
	if (covered?.size === 0)
		throw new UserError(
			`the area ${areaFeatures!.label} covers no pixel centre at ${cellSize} map units per pixel (it is thinner than a pixel); check the layer and its CRS, or lower cellSize`,
		);
	const tiles: Tile[] = [];
	for (let row = 0; row < rows; row++) {
		const topCell = ySpan.end - row * tileCells;
		for (let col = 0; col < cols; col++) {
			if (covered && !covered.has(row * cols + col)) continue;
			const leftCell = xSpan.start + col * tileCells;
			tiles.push({
				id: tileId(row, col),
				row,
				col,
				bbox: {xmin: x(leftCell), ymin: y(topCell - tileCells), xmax: x(leftCell + tileCells), ymax: y(topCell)},
				width: tileSize,
				height: tileSize,
			});
		}
	}
	return {
		crs: settings.crs,
		epsg: currentCode(settings.crs),
		cellSize,
		tileSize,
		snap: {mode: snap.mode, alignToGrid: snap.alignToGrid},
		requested,
		adjusted,
		padding: {
			left: requested.xmin - adjusted.xmin,
			right: adjusted.xmax - requested.xmax,
			top: adjusted.ymax - requested.ymax,
			bottom: requested.ymin - adjusted.ymin,
		},
		rows,
		cols,
		tiles,
		...(area && {
			area: {
				source: areaFeatures!.label,
				clip: settings.area!.clip,
				covered: tiles.length,
				skipped: rows * cols - tiles.length,
				polygons: area,
			},
		}),
	};
}
