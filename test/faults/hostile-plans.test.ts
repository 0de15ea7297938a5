/**
 * Absurd numbers on the command line (issue 17, item 5): coordinates outside the CRS's area of use and
 * shard counts beyond the tile count are refused at once (exit 2, named), never planned or waited on.
 */
import {describe, expect, it} from 'vitest';
import {spawnCli, tempDir, tinyExtent, tinySets} from './helpers.js';

describe('absurd plans', () => {
	it('plan refuses EPSG:3857 coordinates outside the projection (1e15, and 3e7 that would wrap round)', async () => {
		for (const extent of ['1000000000000000,0,1000000000001000,1000', '30000000,0,30001000,1000']) {
			const result = await spawnCli(['plan', '--preset', 'demo', '--extent', extent]);
			expect(result.code, `${extent}: ${result.stderr}`).toBe(2);
			expect(result.stderr).toMatch(/is outside the area EPSG:3857 is defined for .*check the coordinates/);
		}
	});

	it('run --shard 1/50000000 is refused at once: the plan has 4 tiles', async () => {
		const dir = tempDir('absurd-shard');
		const sets = tinySets().flatMap((set) => ['--set', set]);
		const started = Date.now();
		const result = await spawnCli([
			'run',
			...['--preset', 'demo', '--extent', tinyExtent, ...sets, '--shard', '1/50000000', '--out', dir, '--yes'],
		]);
		expect(result.code, result.stderr).toBe(2);
		expect(result.stderr).toContain('the plan has 4 tiles, so 50000000 shards would leave most with nothing to do');
		expect(Date.now() - started).toBeLessThan(30_000);
	});
});
