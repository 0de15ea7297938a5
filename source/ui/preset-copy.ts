import path from 'node:path';
import type {PresetInput} from '../config/preset-schema.js';

/**
 * A preset saved under a new name: an output folder named after the old preset (deepmask-out/demo)
 * follows the new name, so running the copy neither overwrites the original's results nor
 * refetches every tile of them as "preset changed". A folder the user chose otherwise stays.
 */
export function presetCopy(raw: PresetInput, from: string, to: string): PresetInput {
	const dir = raw.output?.dir;
	if (from === to || dir === undefined || path.basename(dir) !== from) return raw;
	return {...raw, output: {...raw.output, dir: path.join(path.dirname(dir), to)}};
}
