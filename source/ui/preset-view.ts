import type {AreaFeatures, LayerConfig, Preset} from '../config/preset-schema.js';
import {linearUnit, makePlan, type Plan} from '../engine/index.js';
import {UserError} from '../errors.js';

export {downloadEstimate} from '../engine/index.js';

/** The plan of a preset (with its area's polygons once read), or the readable reason it has none. */
export function tryPlan(preset: Preset, area?: AreaFeatures): {plan?: Plan; error?: string} {
	if (preset.area && !area) return {error: `reading the area ${preset.area.source}…`};
	try {
		return {plan: makePlan(preset, area)};
	} catch (error) {
		if (error instanceof UserError) return {error: error.message};
		throw error;
	}
}

/** "700 × 450 m" style size of an extent in the unit of its CRS (degrees shown as such). */
export function extentSize(extent: {xmin: number; ymin: number; xmax: number; ymax: number}, crs: string): string {
	const linear = knownUnit(crs);
	const unit = linear === 'deg' ? '°' : ` ${linear}`;
	const round = (value: number) =>
		Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en') : Number(value.toPrecision(4)).toString();
	return `${round(extent.xmax - extent.xmin)} × ${round(extent.ymax - extent.ymin)}${unit}`;
}

/** The CRS's linear unit, or "map units" for a code not (yet) known: the view must draw while a preset is edited. */
export function knownUnit(crs: string): string {
	try {
		return linearUnit(crs);
	} catch {
		return 'map units';
	}
}

/** Where a layer's pixels come from: its service or template URL, or its file. */
export function layerLocation(layer: LayerConfig): string {
	return 'url' in layer ? layer.url : layer.path;
}
