/** What a run folder holds, for comparing runs. */
import {createHash} from 'node:crypto';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';

export function listFiles(dir: string, prefix = ''): string[] {
	let entries;
	try {
		entries = readdirSync(dir, {withFileTypes: true});
	} catch {
		return [];
	}
	return entries
		.flatMap((entry) =>
			entry.isDirectory()
				? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
				: [`${prefix}${entry.name}`],
		)
		.sort();
}

/** Checksums of every output that must not depend on how the run got there. */
export function outputChecksums(dir: string): Record<string, string> {
	const volatile = new Set(['manifest.json', 'status.json']);
	return Object.fromEntries(
		listFiles(dir)
			.filter((file) => !volatile.has(file))
			.map((file) => [
				file,
				createHash('sha256')
					.update(readFileSync(path.join(dir, file)))
					.digest('hex'),
			]),
	);
}

/** Checksums of the outputs a run writes (not its manifest, status, shard state or input tiles): what shards merged must equal. */
export function runOutputChecksums(dir: string): Record<string, string> {
	const compared = /^(masks\/|prob\/|training\/|masks\.vrt$|masks\.tif$|masks\.geojson$|stats\.json$)/;
	return Object.fromEntries(Object.entries(outputChecksums(dir)).filter(([file]) => compared.test(file)));
}
