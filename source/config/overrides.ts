import {UserError} from '../errors.js';
import {registerSecret} from '../secrets.js';

type Json = null | boolean | number | string | Json[] | {[key: string]: Json};

type ExtentNumbers = {xmin: number; ymin: number; xmax: number; ymax: number};

/** `xmin,ymin,xmax,ymax` → the four numbers, or undefined when the text is not four numbers. */
export function parseExtentText(text: string): ExtentNumbers | undefined {
	const parts = text.split(',').map((part) => part.trim());
	const numbers = parts.map(Number);
	if (parts.length !== 4 || parts.some((part) => part === '') || numbers.some((n) => !Number.isFinite(n)))
		return undefined;
	const [xmin, ymin, xmax, ymax] = numbers as [number, number, number, number];
	return {xmin, ymin, xmax, ymax};
}

/** `--extent xmin,ymin,xmax,ymax` → the four numbers, keeping the preset's extent CRS. */
export function parseExtentFlag(text: string): ExtentNumbers {
	const extent = parseExtentText(text);
	if (!extent) {
		throw new UserError(
			`--extent "${cut(text)}" is not four numbers; write it as xmin,ymin,xmax,ymax (e.g. --extent 1000000,6000000,1000512,6000512)`,
		);
	}
	return extent;
}

/** Text from the command line as quoted in a message: the start of it when it is long. */
function cut(text: string, length = 80): string {
	return text.length > length ? `${text.slice(0, length)}… (${text.length} characters)` : text;
}

function parseValue(text: string): Json {
	try {
		return JSON.parse(text) as Json;
	} catch {
		return text;
	}
}

/**
 * Apply `dotted.path=value` to a plain preset object (before validation, so the schema judges the result).
 * Values are read as JSON when they parse (numbers, booleans, arrays), else as strings.
 */
export function applySet(target: Record<string, unknown>, assignment: string): void {
	const equals = assignment.indexOf('=');
	if (equals <= 0) {
		throw new UserError(
			`--set "${cut(assignment)}" has no "="; write it as dotted.path=value (e.g. --set cellSize=0.25)`,
		);
	}
	const field = assignment.slice(0, equals);
	const path = field.split('.');
	const value = assignment.slice(equals + 1);
	// Messages name the field, never the value: it may be a token, or megabytes long.
	const shown = `--set "${cut(field)}=…"`;
	if (path.includes('token')) registerSecret(value);
	if (path.some((key) => key === '' || key === '__proto__' || key === 'constructor' || key === 'prototype')) {
		throw new UserError(`${shown}: "${cut(field)}" is not a field path; write it as dotted.path=value`);
	}
	let node: Record<string, unknown> = target;
	for (const key of path.slice(0, -1)) {
		const next = node[key];
		if (next === undefined) node[key] = {};
		else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
			throw new UserError(`${shown}: "${cut(key)}" holds a value, not a group of fields`);
		}
		node = node[key] as Record<string, unknown>;
	}
	node[path.at(-1)!] = parseValue(value);
}
