import Conf from 'conf';
import type {PresetInput} from './preset-schema.js';

type Settings = {presets: Record<string, PresetInput>; lastPreset?: string};

let store: Conf<Settings> | undefined;

/** User settings, in the platform's config folder (or DEEPMASK_CONFIG_DIR, used by tests). */
function settings(): Conf<Settings> {
	store ??= new Conf<Settings>({
		projectName: 'deepmask',
		projectSuffix: '',
		cwd: process.env.DEEPMASK_CONFIG_DIR || undefined,
		defaults: {presets: {}},
	});
	return store;
}

/** Tokens are secrets: a saved preset keeps where a token comes from (env), never the token itself. */
function withoutTokenValues(preset: PresetInput): PresetInput {
	const copy = structuredClone(preset);
	for (const layer of Object.values(copy.layers ?? {})) {
		if (!layer || !('token' in layer)) continue;
		if (layer.token) delete layer.token.value;
		if (layer.token && layer.token.env === undefined) delete layer.token;
	}
	return copy;
}

export function userPresets(): Record<string, PresetInput> {
	return settings().get('presets');
}

export function saveUserPreset(name: string, preset: PresetInput): void {
	settings().set(`presets.${name}`, withoutTokenValues(preset));
}

export function deleteUserPreset(name: string): void {
	settings().delete(`presets.${name}` as 'presets');
}

export function lastPresetName(): string | undefined {
	return settings().get('lastPreset');
}

export function rememberLastPreset(name: string): void {
	settings().set('lastPreset', name);
}

export function settingsPath(): string {
	return settings().path;
}
