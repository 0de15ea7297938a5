import type {Preset} from '../config/preset-schema.js';
import {makePlan, type Plan} from '../engine/index.js';
import {UserError} from '../errors.js';

/** Bytes a tile download costs: RGB 3 B/px, DSM float32 4 B/px (uncompressed). */
export function downloadEstimate(preset: Pick<Preset, 'tileSize' | 'layers'>, tiles: number): number {
	const perPixel = 3 + (preset.layers.dsm ? 4 : 0);
	return tiles * preset.tileSize * preset.tileSize * perPixel;
}

/** The plan of a preset, or the readable reason it has none. */
export function tryPlan(preset: Preset): {plan?: Plan; error?: string} {
	try {
		return {plan: makePlan(preset)};
	} catch (error) {
		if (error instanceof UserError) return {error: error.message};
		throw error;
	}
}

/** "700 × 450 m" style size of an extent in its own units (degrees shown as such). */
export function extentSize(extent: {xmin: number; ymin: number; xmax: number; ymax: number}, crs: string): string {
	const unit = crs === 'EPSG:4326' ? '°' : ' m';
	const round = (value: number) =>
		Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en') : Number(value.toPrecision(4)).toString();
	return `${round(extent.xmax - extent.xmin)} × ${round(extent.ymax - extent.ymin)}${unit}`;
}
