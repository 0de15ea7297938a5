/**
 * Which share of the tile grid a process works on: `--shard I/N` (1-based), or the scheduler's
 * environment (Slurm job arrays, Kubernetes Indexed Jobs) when no --shard is given.
 */
import {UserError} from '../../errors.js';
import type {Tile} from '../geo/plan.js';

/** Shard `index` of `count`, 1-based: 1 ≤ index ≤ count. */
export type ShardSpec = {index: number; count: number};

/** The shard count for JOB_COMPLETION_INDEX when --shard-count is not given (Kubernetes has no such variable). */
export const shardCountVariable = 'DEEPMASK_SHARD_COUNT';

function wholeNumber(text: string | undefined, what: string): number {
	const value = Number(text);
	if (text === undefined || text.trim() === '' || !Number.isInteger(value) || value < 0)
		throw new UserError(`${what} must be a whole number, not "${text ?? ''}"`);
	return value;
}

function checked(spec: ShardSpec, source: string): ShardSpec {
	if (spec.count < 1) throw new UserError(`${source}: the shard count must be at least 1, not ${spec.count}`);
	if (spec.index < 1 || spec.index > spec.count)
		throw new UserError(
			`${source}: shard ${spec.index} of ${spec.count} does not exist; shards are numbered 1 to ${spec.count}`,
		);
	return spec;
}

/** "I/N" as given to --shard. */
export function parseShard(text: string): ShardSpec {
	const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
	if (!match) throw new UserError(`--shard takes I/N, e.g. --shard 2/4 (shard 2 of 4, numbered from 1), not "${text}"`);
	return checked({index: Number(match[1]), count: Number(match[2])}, `--shard ${text}`);
}

/**
 * The shard from a Slurm job array or a Kubernetes Indexed Job; undefined when neither is set.
 * Slurm array ids start wherever --array says (0 or 1 usually), so the index counts from
 * SLURM_ARRAY_TASK_MIN in steps of SLURM_ARRAY_TASK_STEP.
 */
export function shardFromEnvironment(env: NodeJS.ProcessEnv, shardCount?: number): ShardSpec | undefined {
	if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_COUNT !== undefined) {
		const id = wholeNumber(env.SLURM_ARRAY_TASK_ID, 'SLURM_ARRAY_TASK_ID');
		const count = wholeNumber(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT');
		if (env.SLURM_ARRAY_TASK_MIN === undefined) {
			throw new UserError(
				'SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN is not, so it is unclear whether the array counts from 0 or 1; give the shard explicitly: --shard I/N',
			);
		}
		const min = wholeNumber(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN');
		const step =
			env.SLURM_ARRAY_TASK_STEP === undefined
				? 1
				: wholeNumber(env.SLURM_ARRAY_TASK_STEP, 'SLURM_ARRAY_TASK_STEP') || 1;
		const offset = (id - min) / step;
		if (!Number.isInteger(offset) || offset < 0 || offset >= count) {
			throw new UserError(
				`Slurm array task ${id} (min ${min}, step ${step}, ${count} tasks) is not one of a contiguous range; use --array=1-${count} or give --shard I/N`,
			);
		}
		return checked({index: offset + 1, count}, 'Slurm job array');
	}
	if (env.JOB_COMPLETION_INDEX !== undefined) {
		const index = wholeNumber(env.JOB_COMPLETION_INDEX, 'JOB_COMPLETION_INDEX');
		const count =
			shardCount ??
			(env[shardCountVariable] === undefined ? undefined : wholeNumber(env[shardCountVariable], shardCountVariable));
		if (count === undefined) {
			throw new UserError(
				`JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but not the number of shards: add --shard-count N (the Job's completions) or set ${shardCountVariable}=N`,
			);
		}
		return checked({index: index + 1, count}, 'Kubernetes Indexed Job');
	}
	return undefined;
}

/** --shard wins; then the scheduler's environment; undefined means the whole plan. */
export function resolveShard(
	options: {shard?: string; shardCount?: string},
	env: NodeJS.ProcessEnv = process.env,
): ShardSpec | undefined {
	const shardCount = options.shardCount === undefined ? undefined : wholeNumber(options.shardCount, '--shard-count');
	if (options.shard !== undefined) {
		if (shardCount !== undefined)
			throw new UserError('--shard-count goes with JOB_COMPLETION_INDEX; with --shard I/N the count is N');
		return parseShard(options.shard);
	}
	const spec = shardFromEnvironment(env, shardCount);
	if (!spec && shardCount !== undefined)
		throw new UserError(
			'--shard-count needs JOB_COMPLETION_INDEX in the environment (a Kubernetes Indexed Job); otherwise use --shard I/N',
		);
	return spec;
}

/**
 * Slurm's default MaxArraySize (1001) bounds a job array: one sized before the plan was known may have more
 * shards than tiles (the extra shards have nothing to do). More shards than both is a typo, and a count
 * every merge and watch would have to go through.
 */
export function maxShardCount(tiles: number): number {
	return Math.max(tiles, 1000);
}

export function shardLabel(spec: ShardSpec): string {
	return `${spec.index}/${spec.count}`;
}

/**
 * The shard's tiles: every count-th tile of the plan in row-major order, starting at index − 1.
 * Round robin rather than contiguous blocks: the shares differ by at most one tile, and expensive
 * and cheap parts of the area (dense town, empty water, outside the service's coverage) spread
 * evenly over the shards instead of landing on one.
 */
export function shardTiles<T extends Pick<Tile, 'id'>>(tiles: readonly T[], spec: ShardSpec): T[] {
	return tiles.filter((_, position) => position % spec.count === spec.index - 1);
}
