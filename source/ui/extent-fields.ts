import type {LoadedPreset} from '../config/presets.js';
import {validatePreset} from '../config/presets.js';
import type {PresetInput} from '../config/preset-schema.js';
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

type DraftResult = {loaded?: LoadedPreset; plan?: Plan; error?: string};

/** Validate edited preset data and plan it; every problem comes back as the engine's readable message. */
export function evaluateDraft(base: LoadedPreset, raw: PresetInput): DraftResult {
	let preset;
	try {
		preset = validatePreset(raw, `"${base.name}" (edited)`);
	} catch (error) {
		if (error instanceof UserError) return {error: error.message};
		throw error;
	}
	preset.models = base.preset.models;
	const loaded: LoadedPreset = {...base, raw, preset};
	const {plan, error} = tryPlan(preset);
	return {loaded: plan ? loaded : undefined, plan, error};
}
