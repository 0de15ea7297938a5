/**
 * manifest.json of a run folder: per stage (rgb, dsm, and whatever later stages add: prob, mask...) and
 * tile, what was made, from where, its size and checksum, timings, and what it depended on. Saved
 * atomically; saves are coalesced (one write at a time, the latest state wins). After each tile, callers
 * ask for a save soon (saveSoon) rather than wait for one.
 */
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {z} from 'zod';
import {UserError} from '../../errors.js';
import {firstIssue, tileIdPattern} from '../geo/plan-schema.js';
import {writeJsonAtomic} from '../fs/atomic.js';
import {runFiles} from './paths.js';

export type ManifestEntry = {
	state: 'done' | 'failed';
	/** Relative to the run folder, with forward slashes. */
	file?: string;
	bytes?: number;
	sha256?: string;
	/** Where it came from (token redacted). */
	sources?: string[];
	/** What determines the content; compared on resume. */
	fingerprint?: unknown;
	attempts?: number;
	startedAt?: string;
	ms?: number;
	error?: string;
	[key: string]: unknown;
};

const manifestSchema = z.object({
	version: z.literal(1),
	stages: z.record(
		z.string(),
		z.record(
			z.string().regex(tileIdPattern, 'a tile id is r<row>_c<col>'),
			z.looseObject({state: z.enum(['done', 'failed'])}),
		),
	),
});

type ManifestFile = {version: 1; updatedAt: string; stages: Record<string, Record<string, ManifestEntry>>};

/** The least time between two saves asked for by saveSoon. */
const soonestMs = 1000;

export class Manifest {
	private writing: Promise<void> | undefined;
	private queued: Promise<void> | undefined;
	private soon: NodeJS.Timeout | undefined;
	private failure: unknown;
	private lastWrite = {endedAt: 0, ms: 0};

	private constructor(
		readonly file: string,
		private readonly stages: Record<string, Record<string, ManifestEntry>>,
	) {}

	/** The manifest of `dir`, empty when there is none yet. Nothing is written until save(). */
	static async open(dir: string): Promise<Manifest> {
		const file = path.join(dir, runFiles.manifest);
		let text: string;
		try {
			text = await readFile(file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Manifest(file, {});
			throw error;
		}
		let data: unknown;
		try {
			data = JSON.parse(text);
		} catch (error) {
			throw new UserError(
				`${file} is not valid JSON (${(error as Error).message}); delete it to start the run folder over`,
			);
		}
		const parsed = manifestSchema.safeParse(data);
		if (!parsed.success) {
			throw new UserError(
				`${file} is not a deepmask manifest (version 1): ${firstIssue(parsed.error)}; use another --out folder or delete the file (its tiles are then made again)`,
			);
		}
		// The file's own entries, not zod's copies: resumed runs write back what they read.
		return new Manifest(file, (data as ManifestFile).stages);
	}

	get(stage: string, tileId: string): ManifestEntry | undefined {
		return this.stages[stage]?.[tileId];
	}

	set(stage: string, tileId: string, entry: ManifestEntry): void {
		(this.stages[stage] ??= {})[tileId] = entry;
	}

	delete(stage: string, tileId: string): void {
		if (this.stages[stage]) delete this.stages[stage][tileId];
	}

	stageNames(): string[] {
		return Object.keys(this.stages);
	}

	entries(stage: string): [string, ManifestEntry][] {
		return Object.entries(this.stages[stage] ?? {});
	}

	/**
	 * Save a little later, without waiting for it. The manifest holds a few KB a tile and is written whole and
	 * synced: written and waited for after every tile, its writing grew with the square of the run's tiles and held
	 * every download behind it. So saves asked for this way are spaced: at least a second apart, and ten times as
	 * long as the last write took, so writing takes at most a tenth of the time. A kill loses at most that much of
	 * the manifest: those tiles are made again on resume. A failed save is thrown by the next call of either kind.
	 */
	saveSoon(): void {
		this.throwFailure();
		if (this.soon || this.queued) return;
		const spacing = Math.max(soonestMs, 10 * this.lastWrite.ms);
		this.soon = setTimeout(
			() => {
				this.soon = undefined;
				this.save().catch((error: unknown) => {
					this.failure ??= error;
				});
			},
			Math.max(0, this.lastWrite.endedAt + spacing - Date.now()),
		);
	}

	/** Write the current state atomically now. Calls during a write share the one write that follows it. */
	save(): Promise<void> {
		clearTimeout(this.soon);
		this.soon = undefined;
		try {
			this.throwFailure();
		} catch (error) {
			return Promise.reject(error);
		}
		if (this.queued) return this.queued;
		if (this.writing) {
			this.queued = this.writing.then(
				() => this.startWrite(),
				() => this.startWrite(),
			);
			return this.queued;
		}
		return this.startWrite();
	}

	private throwFailure(): void {
		const {failure} = this;
		this.failure = undefined;
		if (failure !== undefined) throw failure;
	}

	private startWrite(): Promise<void> {
		this.queued = undefined;
		// writeJsonAtomic serialises synchronously: later set() calls do not leak into this write.
		const snapshot: ManifestFile = {version: 1, updatedAt: new Date().toISOString(), stages: this.stages};
		const started = Date.now();
		const write = writeJsonAtomic(this.file, snapshot).finally(() => {
			this.lastWrite = {endedAt: Date.now(), ms: Date.now() - started};
			if (this.writing === write) this.writing = undefined;
		});
		this.writing = write;
		return write;
	}
}
