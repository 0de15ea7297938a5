/** One line saying what a layer will read, from its source's description (engine/index exports it to the app). */
import {linearUnit} from '../geo/crs.js';
import type {SourceDescription} from './source.js';

/** "tiles · EPSG:3857 · 0.6 m per px · level 18 (0.6 m) …": one line for a layer. */
export function layerSummary({kind, crs, resolution, reads}: SourceDescription): string {
	const unit = crs === undefined ? 'map units' : linearUnit(crs);
	const native = resolution === undefined ? undefined : `${Number(resolution.toPrecision(4))} ${unit} per px`;
	return [kind, crs ?? 'CRS not stated', native, reads].filter(Boolean).join(' · ');
}
