/** A preset's area layer read before anything is planned, so a plan (and a run) sees its polygons. */
import type {LoadedPreset} from '../config/presets.js';
import {readArea} from '../engine/area/read-area.js';

export async function withArea(loaded: LoadedPreset, signal?: AbortSignal): Promise<LoadedPreset> {
	const {area} = loaded.preset;
	if (!area || loaded.area) return loaded;
	return {...loaded, area: await readArea(area, {signal})};
}
