import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import path from 'node:path';

/** The package's root folder, whether running from source/ (tests) or dist/ (installed). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function packageVersion(): string {
	const json = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {version: string};
	return json.version;
}
