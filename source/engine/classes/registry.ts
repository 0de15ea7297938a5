/** The class schemes by name; classConfigOf picks the first that takes the models' class count. */
import {binaryScheme} from './binary/scheme.js';
import {multiclassScheme} from './multiclass/scheme.js';
import type {ClassScheme} from './scheme.js';

export const classSchemes = {
	binary: binaryScheme,
	multiclass: multiclassScheme,
} satisfies Record<string, ClassScheme>;

export type ClassSchemeName = keyof typeof classSchemes;

export function schemeOf(config: {scheme: ClassSchemeName}): ClassScheme {
	return classSchemes[config.scheme];
}
