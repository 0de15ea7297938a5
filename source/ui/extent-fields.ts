import path from 'node:path';
import {isDeepStrictEqual} from 'node:util';
import type {LoadedPreset} from '../config/presets.js';
import {isUrl, validatePreset} from '../config/presets.js';
import type {AreaConfig, AreaFeatures, PresetInput} from '../config/preset-schema.js';
import type {Plan} from '../engine/index.js';
import {UserError} from '../errors.js';
import {tryPlan} from './preset-view.js';

/** The preset fields the extent screen edits, read from and written into the raw preset. */
type EditField = {
	id: string;
	label: string;
	kind: 'number' | 'text' | 'choice';
	/** For choices: the values cycled through. */
	choices?: string[];
	get: (raw: PresetInput) => string;
	/** A copy of `raw` with the field set from text; throws FieldError when the text cannot be a value. */
	set: (raw: PresetInput, text: string) => PresetInput;
};

export class FieldError extends Error {}

type Extent = NonNullable<PresetInput['extent']>;

/** The preset's extent; an area-only preset has none (its numbers show empty, and typing one starts an extent). */
function extentOf(raw: PresetInput): Partial<Extent> {
	return raw.extent ?? {};
}

function parseNumber(label: string, text: string): number {
	const value = Number(text.trim());
	if (text.trim() === '' || !Number.isFinite(value)) throw new FieldError(`${label}: "${text}" is not a number`);
	return value;
}

function show(value: number | undefined): string {
	return value === undefined ? '' : String(Number(value.toPrecision(12)));
}

function withExtent(raw: PresetInput, change: (extent: Extent) => Partial<Extent>): PresetInput {
	const copy = structuredClone(raw);
	copy.extent = {...copy.extent, ...change(extentOf(copy) as Extent)} as Extent;
	return copy;
}

function corner(id: 'xmin' | 'ymin' | 'xmax' | 'ymax'): EditField {
	return {
		id,
		label: id,
		kind: 'number',
		get: (raw) => show(extentOf(raw)[id]),
		set: (raw, text) => withExtent(raw, () => ({[id]: parseNumber(id, text)})),
	};
}

/** Centre and size edit the same four numbers: moving the centre keeps the size, resizing keeps the centre. */
function centreField(id: 'cx' | 'cy' | 'width' | 'height', label: string): EditField {
	const axis = id === 'cx' || id === 'width' ? 'x' : 'y';
	const lo = axis === 'x' ? 'xmin' : 'ymin';
	const hi = axis === 'x' ? 'xmax' : 'ymax';
	const isCentre = id === 'cx' || id === 'cy';
	return {
		id,
		label,
		kind: 'number',
		get: (raw) => {
			const {[lo]: low, [hi]: high} = extentOf(raw);
			if (low === undefined || high === undefined) return '';
			return show(isCentre ? (low + high) / 2 : high - low);
		},
		set: (raw, text) =>
			withExtent(raw, (extent) => {
				const value = parseNumber(label, text);
				const centre = isCentre ? value : (extent[lo] + extent[hi]) / 2;
				const half = (isCentre ? extent[hi] - extent[lo] : value) / 2;
				return {[lo]: centre - half, [hi]: centre + half};
			}),
	};
}

/** The area's layer: a path (relative to the working directory) or URL; empty for none. Giving one replaces the extent, as --area does. */
const areaField: EditField = {
	id: 'area',
	label: 'area',
	kind: 'text',
	get: (raw) => (typeof raw.area === 'string' ? raw.area : (raw.area?.source ?? '')),
	set: (raw, text) => {
		const {area, extent, ...rest} = structuredClone(raw);
		const source = text.trim();
		if (source === '') return {...rest, ...(extent && {extent})};
		const resolved = isUrl(source) ? source : path.resolve(source);
		const kept = typeof area === 'object' ? area : {};
		return {...rest, ...(area && extent && {extent}), area: {...kept, source: resolved}};
	},
};

const settingFields: EditField[] = [
	{
		id: 'extentCrs',
		label: 'extent CRS',
		kind: 'text',
		get: (raw) => extentOf(raw).crs ?? 'EPSG:3857',
		set: (raw, text) => withExtent(raw, () => ({crs: text.trim().toUpperCase()})),
	},
	{
		id: 'crs',
		label: 'plan CRS',
		kind: 'text',
		get: (raw) => raw.crs ?? 'EPSG:3857',
		set: (raw, text) => ({...structuredClone(raw), crs: text.trim().toUpperCase()}),
	},
	{
		id: 'cellSize',
		label: 'cell size',
		kind: 'number',
		get: (raw) => show(raw.cellSize),
		set: (raw, text) => ({...structuredClone(raw), cellSize: parseNumber('cell size', text)}),
	},
	{
		id: 'tileSize',
		label: 'tile size',
		kind: 'number',
		get: (raw) => show(raw.tileSize),
		set: (raw, text) => ({...structuredClone(raw), tileSize: parseNumber('tile size', text)}),
	},
	{
		id: 'snapMode',
		label: 'snap',
		kind: 'choice',
		choices: ['symmetric', 'anchor'],
		get: (raw) => raw.snap?.mode ?? 'symmetric',
		set: (raw, text) => ({...structuredClone(raw), snap: {...raw.snap, mode: text as 'symmetric' | 'anchor'}}),
	},
	{
		id: 'alignToGrid',
		label: 'align grid',
		kind: 'choice',
		choices: ['no', 'yes'],
		get: (raw) => (raw.snap?.alignToGrid ? 'yes' : 'no'),
		set: (raw, text) => ({...structuredClone(raw), snap: {...raw.snap, alignToGrid: text === 'yes'}}),
	},
	areaField,
];

export const cornerFields: EditField[] = [
	corner('xmin'),
	corner('ymin'),
	corner('xmax'),
	corner('ymax'),
	...settingFields,
];
export const centreFields: EditField[] = [
	centreField('cx', 'centre x'),
	centreField('cy', 'centre y'),
	centreField('width', 'width'),
	centreField('height', 'height'),
	...settingFields,
];

/** The next (or previous) value of a choice field. */
export function cycleChoice(field: EditField, raw: PresetInput, step: 1 | -1): PresetInput {
	const choices = field.choices ?? [];
	const index = choices.indexOf(field.get(raw));
	return field.set(raw, choices[(index + step + choices.length) % choices.length]);
}

type DraftResult = {loaded?: LoadedPreset; plan?: Plan; error?: string; area?: AreaConfig};

/**
 * Validate edited preset data and plan it; every problem comes back as the engine's readable message. With an
 * area, `area` is its polygons once read (the screen reads them for the `area` the result names).
 */
export function evaluateDraft(base: LoadedPreset, raw: PresetInput, area?: AreaFeatures): DraftResult {
	let preset;
	try {
		preset = validatePreset(raw, `"${base.name}" (edited)`);
	} catch (error) {
		if (error instanceof UserError) return {error: error.message};
		throw error;
	}
	preset.models = base.preset.models;
	// The preset's own area is relative to its file, and loading resolved it; an area typed here is absolute.
	if (preset.area && base.preset.area && isDeepStrictEqual(raw.area, base.raw.area)) preset.area = base.preset.area;
	const loaded: LoadedPreset = {...base, raw, preset, area: preset.area && area};
	const {plan, error} = tryPlan(preset, area);
	return {loaded: plan ? loaded : undefined, plan, error, area: preset.area};
}
