/**
 * Outlines of mask components as map geometry: rings along pixel edges (mosaic-polygons.ts traces them),
 * simplified where that keeps them valid, placed on the map. Exterior rings are counter-clockwise, holes
 * clockwise (RFC 7946).
 */
import type {Bbox} from '../geo/georaster.js';
import {locate, ringsAreValid, twiceSignedArea, type Points} from './ring-checks.js';
import {simplifyRing} from './simplify-ring.js';

export type Position = [number, number];
export type PolygonCoordinates = Position[][];
export type MaskGeometry =
	{type: 'Polygon'; coordinates: PolygonCoordinates} | {type: 'MultiPolygon'; coordinates: PolygonCoordinates[]};

/**
 * The geometry of one component's parts (each its outer ring, then its holes, in pixel-edge coordinates of a
 * `width × height` raster covering `bbox`): a Polygon, or a MultiPolygon where its pixels touch only at corners.
 */
export function maskGeometry(parts: Points[][], bbox: Bbox, width: number, height: number): MaskGeometry {
	const toMap = (points: Points): Position[] => {
		const ring: Position[] = [];
		for (let k = 0; k < points.length; k += 2) ring.push(mapPosition(bbox, width, height, points[k], points[k + 1]));
		ring.push(ring[0]);
		return ring;
	};
	const coordinates = parts.map((rings) => rings.map(toMap));
	return coordinates.length === 1
		? {type: 'Polygon', coordinates: coordinates[0]}
		: {type: 'MultiPolygon', coordinates};
}

/** Map position of a pixel-edge vertex; the outer edges land exactly on the bbox. */
function mapPosition(bbox: Bbox, width: number, height: number, x: number, y: number): Position {
	return [
		x === width ? bbox.xmax : bbox.xmin + ((bbox.xmax - bbox.xmin) * x) / width,
		y === height ? bbox.ymin : bbox.ymax - ((bbox.ymax - bbox.ymin) * y) / height,
	];
}

/**
 * Rings per part (outer first), simplified by Douglas-Peucker (`tolerance` in pixels) when the result stays
 * valid, else as traced (always valid): no ring may touch or cross itself or another, flip, or leave its part.
 */
export function simplifiedRings(traced: Int32Array[][], tolerance: number): Points[][] {
	if (tolerance <= 0) return traced;
	const simplified = traced.map((rings) => rings.map((points) => simplifyRing(points, tolerance)));
	const unchanged = simplified.every((rings, p) => rings.every((points, r) => points === traced[p][r]));
	if (unchanged || isValid(simplified, traced)) return simplified;
	return traced;
}

function isValid(simplified: Int32Array[][], traced: Int32Array[][]): boolean {
	for (const [p, rings] of simplified.entries()) {
		for (const [r, points] of rings.entries()) {
			// Simplifying must not flip or flatten a ring.
			if (Math.sign(twiceSignedArea(points)) !== Math.sign(twiceSignedArea(traced[p][r]))) return false;
		}
	}
	if (!ringsAreValid(simplified.flat())) return false;
	// Holes stay inside their outer ring, and no part reaches into another (a part may sit in another's hole).
	for (const [outer, ...holes] of simplified) {
		if (!holes.every((hole) => someVertex(hole, (x, y) => locate(outer, x, y) === 'inside'))) return false;
	}
	for (const [p, rings] of simplified.entries()) {
		for (const [q, [outer, ...holes]] of simplified.entries()) {
			if (p === q) continue;
			const inArea = (x: number, y: number) =>
				locate(outer, x, y) === 'inside' && holes.every((hole) => locate(hole, x, y) === 'outside');
			if (someVertex(rings[0], inArea)) return false;
		}
	}
	return true;
}

function someVertex(ring: Int32Array, test: (x: number, y: number) => boolean): boolean {
	for (let k = 0; k < ring.length; k += 2) if (test(ring[k], ring[k + 1])) return true;
	return false;
}
