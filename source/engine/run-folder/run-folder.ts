/**
 * A run folder opened for work: created and checked writable up front, its manifest read, and (once a
 * stage is about to write tiles) its plan recorded and the temporaries of interrupted runs cleared.
 */
import path from 'node:path';
import {removeStaleTemporaries, writeJsonAtomic} from '../fs/atomic.js';
import {refuseLinksLeaving} from '../fs/contained.js';
import {prepareRunFolder} from '../fs/storage-errors.js';
import type {Plan} from '../geo/plan.js';
import {Manifest} from './manifest.js';
import {runFiles} from './paths.js';
import {lockRunFolder, type RunLock} from './run-lock.js';
import {removeStaleOutputs} from './stale-outputs.js';

export class RunFolder {
	private started = false;

	private constructor(
		/** Tiles, probabilities and outputs go here. */
		readonly dir: string,
		/** manifest.json and status.json go here: the run folder, or a shard's own folder inside it. */
		readonly stateDir: string,
		readonly manifest: Manifest,
		private readonly lock: RunLock,
	) {}

	/**
	 * Refuses (UserError naming the folder and why) a folder that cannot be written, or that another run
	 * holds, before any work. The folder stays locked until release().
	 */
	static async open(dir: string, stateDir = dir): Promise<RunFolder> {
		await prepareRunFolder(dir);
		if (stateDir !== dir) await prepareRunFolder(stateDir);
		const lock = await lockRunFolder(stateDir, dir);
		try {
			return new RunFolder(dir, stateDir, await Manifest.open(stateDir), lock);
		} catch (error) {
			await lock.release();
			throw error;
		}
	}

	release(): Promise<void> {
		return this.lock.release();
	}

	/** Records the plan and clears what interrupted runs of this host left half-written; once. */
	async start(plan: Plan, log: (message: string) => void): Promise<void> {
		if (this.started) return;
		this.started = true;
		await refuseLinksLeaving(this.dir);
		const leftovers = await removeStaleTemporaries(this.dir);
		if (leftovers > 0)
			log(`removed ${leftovers} temporary file${leftovers === 1 ? '' : 's'} left by an interrupted run`);
		const {tileFiles, trainingSet} = await removeStaleOutputs(this.dir, plan);
		if (tileFiles > 0 || trainingSet)
			log(
				`removed what an earlier run of another plan left: ${tileFiles} file${tileFiles === 1 ? '' : 's'} of tiles not in this plan${trainingSet ? ' and its training set' : ''}`,
			);
		await writeJsonAtomic(path.join(this.dir, runFiles.plan), plan);
	}
}
