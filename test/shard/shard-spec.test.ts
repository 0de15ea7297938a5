import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {parseShard, resolveShard, shardTiles} from '../../source/engine/shard/shard-spec.js';
import {UserError} from '../../source/errors.js';

describe('which shard a process runs', () => {
	it('reads --shard I/N, numbered from 1', () => {
		expect(parseShard('2/4')).toEqual({index: 2, count: 4});
		expect(() => parseShard('0/4')).toThrow(/numbered 1 to 4/);
		expect(() => parseShard('5/4')).toThrow(UserError);
		expect(() => parseShard('2-4')).toThrow(/--shard takes I\/N/);
	});

	it('counts Slurm array tasks from SLURM_ARRAY_TASK_MIN, whether the array starts at 0 or 1', () => {
		expect(
			resolveShard({}, {SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0'}),
		).toEqual({index: 1, count: 4});
		expect(
			resolveShard({}, {SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1'}),
		).toEqual({index: 4, count: 4});
		expect(
			resolveShard(
				{},
				{SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_STEP: '2'},
			),
		).toEqual({index: 3, count: 3});
		expect(() => resolveShard({}, {SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4'})).toThrow(
			/SLURM_ARRAY_TASK_MIN/,
		);
		expect(() =>
			resolveShard({}, {SLURM_ARRAY_TASK_ID: '9', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '1'}),
		).toThrow(/contiguous/);
	});

	it('takes JOB_COMPLETION_INDEX (from 0) with the count from --shard-count or DEEPMASK_SHARD_COUNT', () => {
		expect(resolveShard({shardCount: '3'}, {JOB_COMPLETION_INDEX: '0'})).toEqual({index: 1, count: 3});
		expect(resolveShard({}, {JOB_COMPLETION_INDEX: '2', DEEPMASK_SHARD_COUNT: '3'})).toEqual({index: 3, count: 3});
		expect(() => resolveShard({}, {JOB_COMPLETION_INDEX: '1'})).toThrow(/--shard-count N/);
		expect(() => resolveShard({shardCount: '3'}, {JOB_COMPLETION_INDEX: '3'})).toThrow(UserError);
	});

	it('prefers --shard to the environment, and is unsharded without either', () => {
		expect(resolveShard({shard: '1/2'}, {JOB_COMPLETION_INDEX: '1', DEEPMASK_SHARD_COUNT: '3'})).toEqual({
			index: 1,
			count: 2,
		});
		expect(resolveShard({}, {})).toBeUndefined();
		expect(() => resolveShard({shardCount: '2'}, {})).toThrow(/JOB_COMPLETION_INDEX/);
	});

	it('splits the tiles into disjoint shares that cover the plan and differ by at most one tile', () => {
		fc.assert(
			fc.property(fc.integer({min: 0, max: 300}), fc.integer({min: 1, max: 40}), (tiles, count) => {
				const plan = Array.from({length: tiles}, (_, k) => ({id: `t${k}`}));
				const shares = Array.from({length: count}, (_, k) => shardTiles(plan, {index: k + 1, count}));
				const all = shares.flat().map((tile) => tile.id);
				expect(new Set(all).size).toBe(tiles);
				expect(all).toHaveLength(tiles);
				const sizes = shares.map((share) => share.length);
				expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
			}),
		);
	});
});
