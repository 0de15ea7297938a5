/** Peak memory of writing masks.tif for plans of more and more tiles: each in a fresh process, from mask tiles written by another. */
import {execFile} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {productFlags} from './product-node.js';

const execFileAsync = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));

export type CogMemory = {tiles: number; width: number; height: number; peakRssMb: number; seconds: number};

export async function cogMemory(grids: Array<{rows: number; cols: number}>, tileSize: number): Promise<CogMemory[]> {
	const results: CogMemory[] = [];
	for (const {rows, cols} of grids) {
		const runDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-bench-cog-'));
		try {
			const child = (step: string) =>
				execFileAsync(process.execPath, [
					...[...productFlags, '--import', 'tsx', path.join(here, 'cog-child.ts')],
					...[step, runDir, String(rows), String(cols), String(tileSize)],
				]);
			await child('tiles');
			const {stdout} = await child('cog');
			results.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as CogMemory);
		} finally {
			rmSync(runDir, {recursive: true, force: true});
		}
	}
	return results;
}
