import type {Bbox} from '../geo/georaster.js';
import {foregroundConnectivity, labelComponents} from './components.js';
import {locate, ringsAreValid, twiceSignedArea, type Points} from './ring-checks.js';
import {simplifyRing} from './simplify-ring.js';
import {traceRings, type TracedRing} from './trace.js';

export type Position = [number, number];
export type PolygonCoordinates = Position[][];
export type MaskGeometry =
	{type: 'Polygon'; coordinates: PolygonCoordinates} | {type: 'MultiPolygon'; coordinates: PolygonCoordinates[]};

export type MaskPolygon = {
	geometry: MaskGeometry;
	/** Pixels of the component. */
	pixels: number;
	/** Area of the component's pixels in map units² (the unsimplified outline's planar area). */
	area: number;
};

export type VectoriseOptions = {
	/** Douglas-Peucker tolerance in pixels (0: keep every corner). Default 1. */
	tolerance?: number;
};

type Part = {outer?: TracedRing; holes: TracedRing[]};

/**
 * Polygons of the mask's foreground components (8-connected), one per component, in map coordinates
 * of `bbox` along pixel edges. A component whose pixels touch only at corners becomes a MultiPolygon
 * (one polygon per edge-connected part). Exterior rings are counter-clockwise, holes clockwise
 * (RFC 7946). Simplified rings that would touch or cross themselves or each other are replaced by the
 * unsimplified ones, which are always valid.
 */
export function vectoriseMask(
	mask: Uint8Array,
	width: number,
	height: number,
	bbox: Bbox,
	options: VectoriseOptions = {},
): MaskPolygon[] {
	const tolerance = options.tolerance ?? 1;
	const components = labelComponents(mask, width, height, {value: 1, connectivity: foregroundConnectivity});
	const parts = labelComponents(mask, width, height, {value: 1, connectivity: 4});

	const byPart = new Map<number, Part>();
	for (const ring of traceRings(mask, width, height)) {
		const label = parts.labels[ring.pixel];
		let part = byPart.get(label);
		if (!part) byPart.set(label, (part = {holes: []}));
		if (ring.outer) part.outer = ring;
		else part.holes.push(ring);
	}
	const byComponent = new Map<number, Part[]>();
	for (const label of [...byPart.keys()].sort((a, b) => a - b)) {
		const part = byPart.get(label)!;
		if (!part.outer) throw new Error(`mask outline without an outer ring (part ${label}); this is a bug in the tracer`);
		const component = components.labels[part.outer.pixel];
		const list = byComponent.get(component) ?? [];
		list.push(part);
		byComponent.set(component, list);
	}

	const pixelWidth = (bbox.xmax - bbox.xmin) / width;
	const pixelHeight = (bbox.ymax - bbox.ymin) / height;
	const toMap = (points: Points): Position[] => {
		const ring: Position[] = [];
		for (let k = 0; k < points.length; k += 2) ring.push(mapPosition(bbox, width, height, points[k], points[k + 1]));
		ring.push(ring[0]);
		return ring;
	};

	const polygons: MaskPolygon[] = [];
	for (const component of [...byComponent.keys()].sort((a, b) => a - b)) {
		const componentParts = byComponent.get(component)!;
		const traced = componentParts.map((part) => [part.outer!.points, ...part.holes.map((hole) => hole.points)]);
		const rings = simplifiedRings(traced, tolerance);
		const coordinates = rings.map((part) => part.map(toMap));
		const pixels = components.sizes[component];
		polygons.push({
			geometry:
				coordinates.length === 1 ? {type: 'Polygon', coordinates: coordinates[0]} : {type: 'MultiPolygon', coordinates},
			pixels,
			area: pixels * pixelWidth * pixelHeight,
		});
	}
	return polygons;
}

export type ClassPolygon = MaskPolygon & {classId: number};

/**
 * Polygons of each class's components in a mask of class ids: vectoriseMask of every class in `classIds` on
 * its own, so neighbouring classes share their outlines; by class, then by component.
 */
export function vectoriseClasses(
	mask: Uint8Array,
	width: number,
	height: number,
	bbox: Bbox,
	classIds: number[],
	options: VectoriseOptions = {},
): ClassPolygon[] {
	return classIds.flatMap((classId) => {
		const ofClass = mask.map((value) => (value === classId ? 1 : 0));
		return vectoriseMask(ofClass, width, height, bbox, options).map((polygon) => ({...polygon, classId}));
	});
}

/** Map position of a pixel-edge vertex; the outer edges land exactly on the bbox. */
function mapPosition(bbox: Bbox, width: number, height: number, x: number, y: number): Position {
	return [
		x === width ? bbox.xmax : bbox.xmin + ((bbox.xmax - bbox.xmin) * x) / width,
		y === height ? bbox.ymin : bbox.ymax - ((bbox.ymax - bbox.ymin) * y) / height,
	];
}

/** Rings per part (outer first), simplified when the result stays valid, else as traced. */
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
