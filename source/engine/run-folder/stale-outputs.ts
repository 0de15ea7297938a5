/**
 * What an earlier run of another plan left in the folder: tiles, probabilities and masks of tiles no
 * longer in the plan, and a training set whose chips are numbered by the old grid. Removed before the
 * run records its plan, so a smaller extent run into the folder of a larger one mixes nothing.
 */
import {readdir, readFile, rm} from 'node:fs/promises';
import path from 'node:path';
import type {Plan} from '../geo/plan.js';
import {tileIdPattern} from '../geo/plan-schema.js';
import {runFiles, tileFile} from './paths.js';

const tileFolders = [
	path.dirname(tileFile('rgb', 'x')),
	path.dirname(tileFile('dsm', 'x')),
	runFiles.probDir,
	runFiles.masksDir,
];

async function listed(dir: string): Promise<string[]> {
	return readdir(dir).catch((error: NodeJS.ErrnoException) => {
		if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
		throw error;
	});
}

/** The tile grid plan.json records, or undefined when there is none (or it cannot be read). */
async function recordedTiles(runDir: string): Promise<string | undefined> {
	try {
		const recorded = JSON.parse(await readFile(path.join(runDir, runFiles.plan), 'utf8')) as {tiles?: unknown};
		return JSON.stringify(recorded.tiles);
	} catch {
		return undefined;
	}
}

export type StaleOutputs = {tileFiles: number; trainingSet: boolean};

/** Removes the outputs of tiles not in `plan`, and the training set when the recorded plan's grid differs. */
export async function removeStaleOutputs(runDir: string, plan: Plan): Promise<StaleOutputs> {
	const inPlan = new Set(plan.tiles.map((tile) => tile.id));
	const stale = (file: string) => {
		const id = file.replace(/\.tif$/, '');
		return file.endsWith('.tif') && tileIdPattern.test(id) && !inPlan.has(id);
	};
	const membersDir = path.join(runDir, runFiles.membersDir);
	const folders = [
		...tileFolders.map((folder) => path.join(runDir, folder)),
		...(await listed(membersDir)).map((member) => path.join(membersDir, member)),
	];
	let tileFiles = 0;
	for (const folder of folders) {
		for (const file of (await listed(folder)).filter(stale)) {
			await rm(path.join(folder, file), {force: true});
			tileFiles++;
		}
	}
	const recorded = await recordedTiles(runDir);
	const training = path.join(runDir, runFiles.trainingDir);
	const trainingSet =
		recorded !== undefined && recorded !== JSON.stringify(plan.tiles) && (await listed(training)).length > 0;
	if (trainingSet) await rm(training, {recursive: true, force: true});
	return {tileFiles, trainingSet};
}
