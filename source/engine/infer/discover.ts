import {readdir, stat} from 'node:fs/promises';
import path from 'node:path';
import {UserError} from '../../errors.js';

/** `--models` entries are .onnx files or folders holding them (not searched recursively). */
export async function resolveModelPaths(entries: string[]): Promise<string[]> {
	if (entries.length === 0)
		throw new UserError(
			'no models given. Pass --models with .onnx files or folders (the shipped ones are in models/demo).',
		);
	const found: string[] = [];
	for (const entry of entries) {
		const full = path.resolve(entry);
		let info;
		try {
			info = await stat(full);
		} catch {
			throw new UserError(
				`${entry}: no such model file or folder. Check the path in --models (or the preset's "models").`,
			);
		}
		if (info.isDirectory()) {
			const names = (await readdir(full)).filter((name) => name.toLowerCase().endsWith('.onnx')).sort();
			if (names.length === 0)
				throw new UserError(
					`${entry}: the folder holds no .onnx models. Point --models (or the preset's "models") at .onnx files or a folder of them.`,
				);
			found.push(...names.map((name) => path.join(full, name)));
		} else {
			found.push(full);
		}
	}
	const unique = [...new Set(found)];
	const names = unique.map((file) => path.basename(file, path.extname(file)));
	const twice = names.find((name, index) => names.indexOf(name) !== index);
	if (twice)
		throw new UserError(`two models are named "${twice}"; ensemble members need distinct file names (rename one).`);
	return unique;
}
