/**
 * The classes a run segments, read once from the models' class_names and carried by every stage:
 * predictions and probability files hold `planes` class planes, masks hold class ids, outputs name
 * and colour the classes from here.
 */
import type {PaletteEntry} from '../geo/georaster.js';
import {classSchemes, type ClassSchemeName} from './registry.js';

export type {ClassSchemeName} from './registry.js';

export type ClassInfo = {id: number; name: string; color: PaletteEntry};

export type ClassConfig = {
	/** Every class a mask can hold, ordered by id (0, 1, ...). */
	classes: ClassInfo[];
	/** The class of pixels that are none of the others (background / null class). */
	background: number;
	/**
	 * The class of pixels whose winning probability is below the threshold, when the preset asks for one
	 * (classes.belowThreshold "uncertain"): the id after the models' classes, with no probability plane.
	 */
	uncertain?: number;
	/** Probability planes per pixel: 1 for a binary model (the foreground's probability), else one per class. */
	planes: number;
	/** How masks are decided from the planes (the folder under engine/classes/ of that name). */
	scheme: ClassSchemeName;
};

/** Colours of class ids: 0 background (black; the VRT shows it transparent), then distinct hues. */
export const classPalette: PaletteEntry[] = [
	[0, 0, 0],
	[255, 140, 0],
	[31, 119, 180],
	[44, 160, 44],
	[214, 39, 40],
	[148, 103, 189],
	[140, 86, 75],
	[227, 119, 194],
	[127, 127, 127],
	[188, 189, 34],
	[23, 190, 207],
];

function colorOf(id: number): PaletteEntry {
	return classPalette[id] ?? classPalette[1 + ((id - 1) % (classPalette.length - 1))];
}

/**
 * The classes of models whose class_names are `classNames` (ids 0..C-1, checked by the model loader), coloured
 * by `classColors` (their class_colors) where they say and by the default palette elsewhere.
 */
export function classConfigOf(
	classNames: Record<string, string>,
	classColors: Record<string, PaletteEntry> = {},
): ClassConfig {
	const classes = Object.entries(classNames)
		.map(([id, name]) => ({id: Number(id), name, color: classColors[id] ?? colorOf(Number(id))}))
		.sort((a, b) => a.id - b.id);
	const scheme = (Object.keys(classSchemes) as ClassSchemeName[]).find((name) =>
		classSchemes[name].takes(classes.length),
	);
	if (!scheme) throw new Error(`no class scheme takes ${classes.length} classes`);
	return {classes, background: 0, planes: classSchemes[scheme].planes(classes.length), scheme};
}

/** The name and colour of the uncertain class (light grey: neither the background's black nor a class's hue). */
export const uncertainClass = {name: 'uncertain', color: [190, 190, 190] as PaletteEntry};

/**
 * `config` with an uncertain class for the pixels below the threshold. Its value is the id after the models'
 * classes, not 255 (the usual ignore label): 255 is the masks' nodata outside a clipping area (geo/area-clip.ts).
 */
export function withUncertain(config: ClassConfig): ClassConfig {
	const id = config.classes.length;
	return {...config, classes: [...config.classes, {id, ...uncertainClass}], uncertain: id};
}

/** A binary run's classes when no model says otherwise. */
export const defaultClasses: ClassConfig = classConfigOf({'0': 'background', '1': 'foreground'});

/** The classes other than the background, for outputs that describe what was found. */
export function foregroundClasses(config: ClassConfig): ClassInfo[] {
	return config.classes.filter((info) => info.id !== config.background);
}

/** The models' classes: every class but uncertain, which a run adds (withUncertain). */
function modelClasses(config: ClassConfig): ClassInfo[] {
	return config.classes.filter((info) => info.id !== config.uncertain);
}

/** The colours of the models' class ids that differ from the default palette's: what a shard result must carry to colour alike. */
export function customColorsOf(config: ClassConfig): Record<string, PaletteEntry> | undefined {
	const custom = modelClasses(config).filter((info) => info.color.some((value, at) => value !== colorOf(info.id)[at]));
	return custom.length > 0 ? Object.fromEntries(custom.map((info) => [String(info.id), info.color])) : undefined;
}

/** The models' class ids → names map, as their class_names and result files hold it (uncertain left out). */
export function classNamesOf(config: ClassConfig): Record<string, string> {
	return Object.fromEntries(modelClasses(config).map((info) => [String(info.id), info.name]));
}
