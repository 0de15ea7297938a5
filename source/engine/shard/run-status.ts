/**
 * What `deepmask watch` reads: the status.json of a run folder, or of every shard of a sharded run,
 * each with its liveness (is the process that writes it still there?).
 */
import {stat} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {UserError} from '../../errors.js';
import {readTextIfExists} from '../fs/read-optional.js';
import {statusHeartbeatMs, type StatusDocument} from '../run-folder/status-file.js';
import type {RunSnapshot} from '../pipeline/snapshot.js';
import {processAlive} from '../fs/process-alive.js';
import {z} from 'zod';
import {firstIssue} from '../geo/plan-schema.js';
import {readPlanFile} from './plan-key.js';
import {listShards, shardFiles, shardFolderName, shardsDir} from '../run-folder/shard-layout.js';
import {maxShardCount, shardLabel, type ShardSpec} from './shard-spec.js';
import {runFiles} from '../run-folder/paths.js';

export type Liveness = 'running' | 'stopped' | 'done' | 'failed' | 'cancelled';

export type StatusEntry = {
	/** "I/N" for a shard, undefined for an unsharded run. */
	shard?: string;
	/** Relative to the run folder. */
	file: string;
	pid: number;
	host?: string;
	writtenAt: number;
	liveness: Liveness;
	/** One plain sentence for people. */
	message: string;
	snapshot: RunSnapshot;
};

export type RunStatus = {
	runDir: string;
	liveness: Liveness;
	message: string;
	statuses: StatusEntry[];
	/** Shards ("I/N") with no status file yet (not started, e.g. still queued). */
	missingShards: string[];
	/** Sharded runs only: the run-wide outputs cover every shard's latest result (shards/merged.json is newer than them). */
	merged?: boolean;
};

/** A status file on another host that has not been rewritten for this long belongs to a process that is gone. */
export const remoteStaleMs = 6 * statusHeartbeatMs;

function livenessOf(document: StatusDocument, now: number): {liveness: Liveness; message: string} {
	const {snapshot, pid, host} = document;
	if (snapshot.state === 'done')
		return {liveness: 'done', message: `finished${snapshot.message ? `: ${snapshot.message}` : ''}`};
	if (snapshot.state === 'failed')
		return {liveness: 'failed', message: `failed${snapshot.message ? `: ${snapshot.message}` : ''}`};
	if (snapshot.state === 'cancelled')
		return {
			liveness: 'cancelled',
			message: `cancelled${snapshot.message ? `: ${snapshot.message}` : ''}; rerun the same command to resume`,
		};
	const remote = host !== undefined && host !== os.hostname();
	if (remote) {
		const silentMs = now - document.writtenAt;
		if (silentMs > remoteStaleMs)
			return {
				liveness: 'stopped',
				message: `stopped: no word from the deepmask process (pid ${pid} on ${host}) for ${Math.round(silentMs / 1000)} s; rerun the same command to resume`,
			};
		return {liveness: 'running', message: `running on ${host} (pid ${pid})`};
	}
	if (!processAlive(pid))
		return {
			liveness: 'stopped',
			message: `stopped: the deepmask process (pid ${pid}) is gone; rerun the same command to resume`,
		};
	return {liveness: 'running', message: snapshot.state === 'paused' ? `paused (pid ${pid})` : `running (pid ${pid})`};
}

const whole = z.number().int().nonnegative();
/** Clocks of the hosts sharing a folder disagree a little; a status an hour ahead is damaged or forged. */
const clockSkewMs = 3_600_000;

const statusSchema = z.object({
	pid: whole.min(1),
	host: z.string().optional(),
	writtenAt: whole,
	snapshot: z.looseObject({
		state: z.string(),
		startedAt: whole,
		updatedAt: whole,
		tiles: whole,
		inferred: whole,
		written: whole,
		log: z.array(z.looseObject({message: z.string()})),
	}),
});

/** status.json as read back: the fields watch relies on, with sane values (a real pid, no future time). */
function parseStatus(value: unknown, now: number): StatusDocument {
	const parsed = statusSchema.safeParse(value);
	if (!parsed.success) throw new Error(firstIssue(parsed.error));
	if (parsed.data.writtenAt > now + clockSkewMs) throw new Error('writtenAt is in the future');
	return value as StatusDocument;
}

async function readStatus(
	runDir: string,
	file: string,
	now: number,
	shard?: ShardSpec,
): Promise<StatusEntry | undefined> {
	const text = await readTextIfExists(path.join(runDir, file));
	if (text === undefined) return undefined;
	let document: StatusDocument;
	try {
		document = parseStatus(JSON.parse(text), now);
	} catch (error) {
		throw new UserError(
			`${path.join(runDir, file)} cannot be read (${(error as Error).message}); delete it: the next run there writes it again`,
		);
	}
	return {
		...(shard && {shard: shardLabel(shard)}),
		file,
		pid: document.pid,
		host: document.host,
		writtenAt: document.writtenAt,
		...livenessOf(document, now),
		snapshot: document.snapshot,
	};
}

const modifiedAt = (file: string) =>
	stat(file).then(
		(stats) => stats.mtimeMs,
		() => undefined,
	);

/** shards/merged.json is there and no shard has written a result since (a rerun shard makes the outputs stale). */
async function mergedSinceLastResult(runDir: string, shards: ShardSpec[]): Promise<boolean> {
	const mergedAt = await modifiedAt(path.join(runDir, shardsDir, shardFiles.merged));
	if (mergedAt === undefined) return false;
	for (const spec of shards) {
		const resultAt = await modifiedAt(path.join(runDir, shardsDir, shardFolderName(spec), shardFiles.result));
		if (resultAt !== undefined && resultAt > mergedAt) return false;
	}
	return true;
}

/** Before plan.json is written no shard count can be checked against the tiles: the largest maxTiles anyone would use. */
const maxShardsWithoutPlan = 1_000_000;

const precedence: Liveness[] = ['failed', 'stopped', 'cancelled', 'running', 'done'];

/** Every status of the run folder; UserError when there is none (nothing has run there). */
export async function readRunStatus(runDir: string, now = Date.now()): Promise<RunStatus> {
	const resolved = path.resolve(runDir);
	const statuses: StatusEntry[] = [];
	const own = await readStatus(resolved, runFiles.status, now);
	if (own) statuses.push(own);
	const plan = await readPlanFile(resolved).catch(() => undefined);
	const shards = await listShards(resolved, plan ? maxShardCount(plan.tiles.length) : maxShardsWithoutPlan);
	for (const spec of shards) {
		const entry = await readStatus(resolved, path.join(shardsDir, shardFolderName(spec), shardFiles.status), now, spec);
		if (entry) statuses.push(entry);
	}
	if (statuses.length === 0) {
		throw new UserError(
			`${resolved} has no ${runFiles.status} (nor ${shardsDir}/I-of-N/${shardFiles.status}): no deepmask run has started there; give the folder a run writes to (its --out)`,
		);
	}
	const missingShards: string[] = [];
	for (const count of new Set(shards.map((spec) => spec.count))) {
		for (let index = 1; index <= count; index++) {
			const label = shardLabel({index, count});
			if (!statuses.some((entry) => entry.shard === label)) missingShards.push(label);
		}
	}
	const merged = shards.length > 0 && (await mergedSinceLastResult(resolved, shards));
	let liveness = precedence.find((state) => statuses.some((entry) => entry.liveness === state))!;
	if (liveness === 'done' && missingShards.length > 0) liveness = 'running';
	return {
		runDir: resolved,
		liveness,
		message: overallMessage(liveness, statuses, missingShards, merged),
		statuses,
		missingShards,
		...(shards.length > 0 && {merged}),
	};
}

function overallMessage(liveness: Liveness, statuses: StatusEntry[], missingShards: string[], merged: boolean): string {
	if (statuses.length === 1 && missingShards.length === 0 && statuses[0].shard === undefined)
		return statuses[0].message;
	const sharded = statuses.filter((entry) => entry.shard !== undefined);
	const counts = precedence
		.map((state) => [state, sharded.filter((entry) => entry.liveness === state).length] as const)
		.filter(([, count]) => count > 0);
	const parts = counts.map(([state, count]) => `${count} ${state}`);
	if (missingShards.length > 0) parts.push(`${missingShards.length} not started (${missingShards.join(', ')})`);
	const summary = `shards: ${parts.join(', ')}`;
	if (liveness === 'done')
		return `${summary}; ${merged ? 'merged: the run-wide outputs cover every shard' : 'not merged yet: run deepmask merge on the folder'}`;
	if (liveness === 'stopped') return `${summary}; rerun a stopped shard's command to resume it`;
	return summary;
}
