/** A preset's area layer read before anything is planned, so a plan (and a run) sees its polygons. */
import {isUrl, type LoadedPreset} from '../config/presets.js';
import {readArea} from '../engine/area/read-area.js';
import {connectServices} from './embedded-service.js';

export async function withArea(loaded: LoadedPreset, signal?: AbortSignal): Promise<LoadedPreset> {
	const {area} = loaded.preset;
	if (!area || loaded.area) return loaded;
	// The embedded demo's feature layer answers only while its service runs: started for the read, as for a run.
	const services = isUrl(area.source) ? await connectServices(loaded.preset) : undefined;
	try {
		return {...loaded, area: await readArea(area, {signal, urlRewrite: services?.urlRewrite})};
	} finally {
		await services?.close();
	}
}
