/** An area layer's polygons in the plan CRS. */
import proj4 from 'proj4';
import {UserError} from '../../errors.js';
import type {AreaFeatures, Bbox} from '../../config/preset-schema.js';
import type {AreaCoordinates} from './area-cover.js';
import {ensureCrs} from './crs.js';

export function areaInPlanCrs(area: AreaFeatures, planCrs: string): AreaCoordinates {
	try {
		ensureCrs(area.crs, area.crsDefinition);
	} catch (error) {
		throw new UserError(
			`the area ${area.label} is in a CRS deepmask cannot use (${(error as Error).message}); reproject the layer, e.g. ogr2ogr -t_srs ${planCrs} area.gpkg <layer>`,
		);
	}
	const forward =
		area.crs === planCrs
			? (point: [number, number]) => point
			: (point: [number, number]) => proj4(area.crs, planCrs, point);
	return area.polygons.map((polygon) =>
		polygon.rings.map((ring) =>
			ring.map((point) => {
				const [x, y] = transformed(forward, point);
				if (!Number.isFinite(x) || !Number.isFinite(y))
					throw new UserError(
						`the area ${area.label}: ${polygon.feature} cannot be transformed from ${area.crs} to the plan CRS ${planCrs} (its point ${point.join(',')} is outside what ${planCrs} can show); check the layer's CRS, or choose a plan CRS that covers the area`,
					);
				return [x, y] as [number, number];
			}),
		),
	);
}

/** proj4 throws for some points outside a projection and answers Infinity or NaN for others: NaN for all of them. */
function transformed(forward: (point: [number, number]) => number[], point: [number, number]): number[] {
	try {
		return forward(point);
	} catch {
		return [NaN, NaN];
	}
}

export function boundsOf(area: AreaCoordinates): Bbox {
	const bounds = {xmin: Infinity, ymin: Infinity, xmax: -Infinity, ymax: -Infinity};
	for (const polygon of area)
		for (const [x, y] of polygon[0]) {
			bounds.xmin = Math.min(bounds.xmin, x);
			bounds.ymin = Math.min(bounds.ymin, y);
			bounds.xmax = Math.max(bounds.xmax, x);
			bounds.ymax = Math.max(bounds.ymax, y);
		}
	return bounds;
}
