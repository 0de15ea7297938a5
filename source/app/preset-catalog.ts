import {makePlan} from '../engine/geo/plan.js';
import {UserError} from '../errors.js';
import {loadPreset, shippedPresetNames, type LoadedPreset, type PresetSource} from '../config/presets.js';
import {userPresets} from '../config/user-settings.js';

export type PresetEntry = {
	name: string;
	source: PresetSource;
	description: string;
	tiles?: number;
	loaded?: LoadedPreset;
	/** Why the preset cannot be used, when it cannot. */
	error?: string;
};

/** Every preset a user can pick, user presets first (they shadow shipped ones of the same name). */
export function listPresets(): Omit<PresetEntry, 'loaded'>[] {
	return catalog().map(({loaded: _loaded, ...entry}) => entry);
}

export function catalog(): PresetEntry[] {
	const names = [...Object.keys(userPresets()).sort(), ...shippedPresetNames()];
	const seen = new Set<string>();
	const entries: PresetEntry[] = [];
	for (const name of names) {
		if (seen.has(name)) continue;
		seen.add(name);
		try {
			const loaded = loadPreset(name);
			let tiles: number | undefined;
			let error: string | undefined;
			try {
				// An area's tiles are counted once its layer is read (on the Extent screen, or when the run starts).
				if (!loaded.preset.area) tiles = makePlan(loaded.preset).tiles.length;
			} catch (planError) {
				if (!(planError instanceof UserError)) throw planError;
				error = planError.message;
			}
			entries.push({name, source: loaded.source, description: loaded.preset.description, tiles, loaded, error});
		} catch (loadError) {
			if (!(loadError instanceof UserError)) throw loadError;
			entries.push({
				name,
				source: name in userPresets() ? 'user' : 'shipped',
				description: '',
				error: loadError.message,
			});
		}
	}
	return entries;
}
