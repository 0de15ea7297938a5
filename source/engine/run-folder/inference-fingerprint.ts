import {createHash} from 'node:crypto';
import {createReadStream} from 'node:fs';
import {access} from 'node:fs/promises';
import type {Manifest} from './manifest.js';
import type {ModelInfo} from '../infer/types.js';
import {memberProbabilityFile, probabilityFile} from './paths.js';

export const probabilityStage = 'prob';

export type InferenceFingerprint = {
	models: Array<{name: string; sha256: string}>;
	mode: 'resize' | 'sliding';
	overlap?: number;
	/** Sliding mode: windows on the area's grid with the neighbours' pixels (earlier runs placed them per tile). */
	windows?: 'area-grid';
	/** Checksums of the input tiles the probabilities came from. */
	inputs: Record<string, string | undefined>;
	size: {width: number; height: number};
};

export async function fileSha256(file: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

export async function modelChecksums(models: ModelInfo[]): Promise<InferenceFingerprint['models']> {
	return Promise.all(models.map(async (model) => ({name: model.name, sha256: await fileSha256(model.path)})));
}

async function exists(file: string): Promise<boolean> {
	try {
		await access(file);
		return true;
	} catch {
		return false;
	}
}

/** What in the fingerprint differs from the earlier run's, by name, for the log. */
function changes(before: Partial<InferenceFingerprint>, now: InferenceFingerprint): string[] {
	const changed = (Object.keys(now) as Array<keyof InferenceFingerprint>).filter(
		(key) => JSON.stringify(before[key]) !== JSON.stringify(now[key]),
	);
	// The windows' placement follows from the mode; a changed mode says it all.
	return changed.includes('mode') ? changed.filter((key) => key !== 'windows') : changed;
}

/**
 * Whether probabilities of an earlier run can be kept: the same models saw the same input tiles the same
 * way, and the files are there. `changed` names what differs when an earlier result is no longer valid.
 */
export async function keptProbabilities(
	runDir: string,
	manifest: Manifest,
	tileId: string,
	fingerprint: InferenceFingerprint,
): Promise<{kept: boolean; changed?: string[]}> {
	const entry = manifest.get(probabilityStage, tileId);
	if (entry?.state !== 'done') return {kept: false};
	const changed = changes((entry.fingerprint ?? {}) as Partial<InferenceFingerprint>, fingerprint);
	if (changed.length > 0) return {kept: false, changed};
	const files = [
		probabilityFile(runDir, tileId),
		...fingerprint.models.map((model) => memberProbabilityFile(runDir, model.name, tileId)),
	];
	const present = await Promise.all(files.map(exists));
	return {kept: present.every(Boolean)};
}
