import {UserError} from '../errors.js';

/** A numeric flag within [min, max], or undefined when the flag was not given. */
export function parseNumber(
	flag: string,
	text: string | undefined,
	min: number,
	max: number,
	integer = false,
): number | undefined {
	if (text === undefined) return undefined;
	const value = Number(text);
	if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
		throw new UserError(`${flag} ${text}: give ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}.`);
	}
	return value;
}
