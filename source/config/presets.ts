import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {UserError} from '../errors.js';
import {packageRoot} from '../package-info.js';
import {formatPresetIssues} from './preset-errors.js';
import {applySet, parseExtentFlag} from './overrides.js';
import {presetSchema, type AreaFeatures, type Preset, type PresetInput} from './preset-schema.js';
import {saveUserPreset, userPresets} from './user-settings.js';

export const shippedPresetsDir = path.join(packageRoot, 'presets');

export type PresetSource = 'shipped' | 'user' | 'file';

export type LoadedPreset = {
	name: string;
	source: PresetSource;
	/** Where it was read from, for messages: a file path or "user preset NAME". */
	origin: string;
	/** Validated, defaults filled, model paths absolute. */
	preset: Preset;
	/** As written (before defaults), for editing and saving. */
	raw: PresetInput;
	/** The polygons of `preset.area`, once read (app/area.ts); a plan of a preset with an area needs them. */
	area?: AreaFeatures;
};

export type PresetOverrides = {
	extent?: string;
	set?: string[];
	/** --area: a path (relative to the working directory) or URL; it replaces the preset's extent unless --extent is given too. */
	area?: string;
	areaWhere?: string;
	areaClip?: boolean;
};

/** An http(s) URL, as opposed to a file path. */
export function isUrl(source: string): boolean {
	return /^https?:\/\//i.test(source);
}

export function shippedPresetNames(): string[] {
	if (!existsSync(shippedPresetsDir)) return [];
	return readdirSync(shippedPresetsDir)
		.filter((file) => file.endsWith('.json'))
		.map((file) => file.slice(0, -'.json'.length))
		.sort();
}

function looksLikePath(reference: string): boolean {
	return reference.endsWith('.json') || reference.includes('/') || reference.includes(path.sep);
}

function readJsonFile(file: string): unknown {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new UserError(`cannot read preset file ${file} (${code ?? String(error)}); check the path`);
	}
	if (text.trim() === '')
		throw new UserError(
			`preset file ${file} is empty; write the preset's JSON in it (copy presets/demo.json to start)`,
		);
	try {
		return JSON.parse(text) as unknown;
	} catch (error) {
		throw new UserError(
			`preset file ${file} is not valid JSON: ${(error as Error).message.replace(/\s+/g, ' ')}; fix the file`,
		);
	}
}

/** Find a preset by name (user presets shadow shipped ones) or path, without validating it. */
function locate(reference: string): {
	name: string;
	source: PresetSource;
	origin: string;
	data: unknown;
	baseDir: string;
} {
	if (looksLikePath(reference)) {
		const file = path.resolve(reference);
		return {
			name: path.basename(file, '.json'),
			source: 'file',
			origin: file,
			data: readJsonFile(file),
			baseDir: path.dirname(file),
		};
	}
	const user = userPresets()[reference];
	if (user)
		return {name: reference, source: 'user', origin: `user preset "${reference}"`, data: user, baseDir: process.cwd()};
	const shipped = path.join(shippedPresetsDir, `${reference}.json`);
	if (existsSync(shipped)) {
		return {name: reference, source: 'shipped', origin: shipped, data: readJsonFile(shipped), baseDir: packageRoot};
	}
	const known = [...shippedPresetNames(), ...Object.keys(userPresets())];
	throw new UserError(
		`no preset named "${reference}"; known presets: ${known.join(', ') || '(none)'}. Run \`deepmask presets\` to list them, or give a path to a .json file`,
	);
}

/** Validate plain preset data; throws a UserError naming the origin, each field, its value and what is allowed. */
export function validatePreset(data: unknown, origin: string): Preset {
	const result = presetSchema.safeParse(data, {reportInput: true});
	if (!result.success) throw new UserError(formatPresetIssues(origin, result.error));
	return result.data;
}

function hasOverrides(overrides: PresetOverrides): boolean {
	return Boolean(
		overrides.extent ||
		overrides.set?.length ||
		overrides.area ||
		overrides.areaWhere ||
		overrides.areaClip !== undefined,
	);
}

function applyAreaOverrides(copy: Record<string, unknown>, overrides: PresetOverrides): void {
	if (overrides.area) {
		copy.area = {source: isUrl(overrides.area) ? overrides.area : path.resolve(overrides.area)};
		if (!overrides.extent) delete copy.extent;
	}
	if (overrides.areaWhere === undefined && overrides.areaClip === undefined) return;
	if (copy.area === undefined) {
		const flag = overrides.areaWhere === undefined ? '--area-clip' : '--area-where';
		throw new UserError(`${flag} needs an area; give one with --area PATH|URL or the preset's "area"`);
	}
	const area = typeof copy.area === 'string' ? {source: copy.area} : (copy.area as Record<string, unknown>);
	copy.area = {
		...area,
		...(overrides.areaWhere !== undefined && {where: overrides.areaWhere}),
		...(overrides.areaClip !== undefined && {clip: overrides.areaClip}),
	};
}

export function applyOverrides(data: unknown, overrides: PresetOverrides): unknown {
	if (!hasOverrides(overrides)) return data;
	// Not an object (null, an array, a number): nothing to override, and the schema says what is wrong.
	if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
	const copy = structuredClone(data) as Record<string, unknown>;
	if (overrides.extent) {
		const current = (copy.extent ?? {}) as Record<string, unknown>;
		copy.extent = {...current, ...parseExtentFlag(overrides.extent)};
	}
	applyAreaOverrides(copy, overrides);
	for (const assignment of overrides.set ?? []) applySet(copy, assignment);
	return copy;
}

export function loadPreset(reference: string, overrides: PresetOverrides = {}): LoadedPreset {
	const found = locate(reference);
	const raw = applyOverrides(found.data, overrides) as PresetInput;
	const overridden =
		overrides.extent || overrides.set?.length
			? ' (with the --extent/--set overrides)'
			: hasOverrides(overrides)
				? ' (with the --area options)'
				: '';
	const preset = validatePreset(raw, `${found.origin}${overridden}`);
	preset.models = preset.models.map((model) => path.resolve(found.baseDir, model));
	if (preset.area && !isUrl(preset.area.source)) preset.area.source = path.resolve(found.baseDir, preset.area.source);
	// A file layer's local path is relative to the preset file too; URLs stay as they are.
	for (const layer of [preset.layers.rgb, preset.layers.dsm]) {
		if (layer?.kind === 'file' && !isUrl(layer.path)) layer.path = path.resolve(found.baseDir, layer.path);
	}
	return {name: found.name, source: found.source, origin: found.origin, preset, raw};
}

/** Save edited preset data as a user preset; model paths are stored absolute so they resolve from anywhere. */
/**
 * Save `data` as a user preset. User presets live in the settings folder, so every path of the preset it came
 * from (models, the area, file layers) is stored as `resolved` has it: absolute.
 */
export function saveAsUserPreset(
	name: string,
	data: PresetInput,
	resolved: Pick<Preset, 'models' | 'area' | 'layers'>,
): LoadedPreset {
	if (!/^[\w.-]+$/.test(name) || name.endsWith('.json')) {
		throw new UserError(`"${name}" cannot be a preset name; use letters, digits, "-", "_" or "." (no ".json")`);
	}
	const stored = {...structuredClone(data), models: resolved.models};
	if (stored.area !== undefined && resolved.area)
		stored.area =
			typeof stored.area === 'string' ? resolved.area.source : {...stored.area, source: resolved.area.source};
	for (const role of ['rgb', 'dsm'] as const) {
		const layer = stored.layers?.[role];
		const resolvedLayer = resolved.layers[role];
		if (layer?.kind === 'file' && resolvedLayer?.kind === 'file') layer.path = resolvedLayer.path;
	}
	validatePreset(stored, `user preset "${name}"`);
	saveUserPreset(name, stored);
	return loadPreset(name);
}
