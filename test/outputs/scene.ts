/**
 * A small synthetic run for the output tests: a 3 × 2 plan of 32-pixel tiles at 0.5 m, rectangles of
 * "buildings" on the global pixel grid (some crossing tile seams, one with a courtyard), two members
 * (one shifted a pixel), an RGB pattern and a nodata strip in one tile.
 */
import {makePlan, type Plan, type Tile} from '../../source/engine/geo/plan.js';
import type {GeoRaster} from '../../source/engine/geo/georaster.js';

export const threshold = 0.5;
export const models = ['alpha', 'beta/v2'];

export function scenePlan(): Plan {
	return makePlan({
		extent: {xmin: 1_000_000, ymin: 6_000_000, xmax: 1_000_048, ymax: 6_000_032, crs: 'EPSG:3857'},
		crs: 'EPSG:3857',
		cellSize: 0.5,
		tileSize: 32,
		snap: {mode: 'anchor', alignToGrid: false},
		maxTiles: 100,
	});
}

// [x0, y0, x1, y1) in global pixels (x right, y down from the top-left of the extent).
const buildings = [
	[10, 5, 30, 20],
	[25, 10, 45, 25],
	[60, 28, 80, 40],
	[5, 40, 20, 58],
	[90, 2, 91, 3],
];
const courtyard = [9, 45, 15, 52];

function inside([x0, y0, x1, y1]: number[], x: number, y: number): boolean {
	return x >= x0 && x < x1 && y >= y0 && y < y1;
}

function building(x: number, y: number): boolean {
	return buildings.some((b) => inside(b, x, y)) && !inside(courtyard, x, y);
}

export type SceneTile = {
	tile: Tile;
	ensemble: Uint8Array;
	members: Uint8Array[];
	nodata?: Uint8Array;
	rgb: GeoRaster;
};

export function sceneTile(plan: Plan, tile: Tile): SceneTile {
	const size = plan.tileSize;
	const ensemble = new Uint8Array(size * size);
	const shifted = new Uint8Array(size * size);
	const rgb = new Uint8Array(size * size * 3);
	for (let y = 0; y < size; y++) {
		for (let x = 0; x < size; x++) {
			const gx = tile.col * size + x;
			const gy = tile.row * size + y;
			const i = y * size + x;
			// A band of uncertain probabilities along one row of the extent.
			ensemble[i] = building(gx, gy) ? 230 : gy === 62 ? 120 : 20;
			shifted[i] = building(gx - 1, gy) ? 240 : 10;
			rgb.set([(gx * 7 + gy * 3) & 255, (gx * gy) & 255, building(gx, gy) ? 200 : 90], i * 3);
		}
	}
	let nodata: Uint8Array | undefined;
	if (tile.id === 'r001_c002') {
		nodata = new Uint8Array(size * size);
		nodata.fill(1, 0, 4 * size);
	}
	return {
		tile,
		ensemble,
		members: [ensemble, shifted],
		nodata,
		rgb: {width: size, height: size, bands: 3, data: rgb, bbox: tile.bbox, epsg: plan.epsg},
	};
}
