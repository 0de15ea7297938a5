/**
 * Process faults of `deepmask run` as a child process: Ctrl-C, an output folder it cannot write, a full
 * disk. Each ends with the right exit code, a message naming the folder and the fix, nothing
 * half-written, and a rerun that resumes to the outputs of a clean run. (SIGKILL is in test/run.)
 */
import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, truncateSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {loadPreset} from '../../source/config/presets.js';
import {startImageService} from '../../source/demo/server.js';
import {startRun} from '../../source/app/start-run.js';
import {exitCodeOf} from '../../source/errors.js';
import {outputChecksums} from '../helpers/run-folder.js';
import {expectIntact, runToEnd, spawnCli, tempDir, tinyExtent, tinyPreset, tinyRunArgs, tinySets} from './helpers.js';

let clean: Record<string, string>;

beforeAll(async () => {
	const dir = tempDir('clean');
	await runToEnd(tinyPreset(), dir);
	clean = outputChecksums(dir);
}, 60_000);

/** Mounts a tmpfs of `size` at `dir`; false where this machine does not allow it (not root, in a container without CAP_SYS_ADMIN). */
function mountTmpfs(dir: string, options: string): boolean {
	try {
		execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], {stdio: 'ignore'});
		return true;
	} catch {
		return false;
	}
}

function unmount(dir: string): void {
	execFileSync('umount', [dir], {stdio: 'ignore'});
}

describe('process faults', () => {
	it('Ctrl-C during inference exits 130 with nothing half-written, and the rerun resumes to a clean result', async () => {
		// A slow service and one download at a time, so that most of the run is still to come when the signal lands.
		const service = await startImageService({port: 0, faults: {latencyMs: 150}});
		try {
			const dir = tempDir('sigint');
			const sets = [...tinySets(service.url), 'concurrency.downloads=1'];
			let sent = false;
			const result = await spawnCli(tinyRunArgs(dir, sets), ({stderr}, child) => {
				if (!sent && stderr.includes('infer  [1/4]')) {
					sent = true;
					child.kill('SIGINT');
				}
			});
			expect(sent).toBe(true);
			expect(result.code).toBe(130);
			expect(result.stderr).toMatch(/deepmask: interrupted; run the same command again to resume/);
			await expectIntact(dir);
			await runToEnd(loadPreset('demo', {extent: tinyExtent, set: sets}), dir);
			expect(outputChecksums(dir)).toEqual(clean);
		} finally {
			await service.close();
		}
	});

	// The command line writes as it infers, so its write stage is too short to hit with a signal: in-process instead.
	it('an interrupt after the review stops the write (cancelled, exit 130) and the rerun resumes to a clean result', async () => {
		const dir = tempDir('interrupt-write');
		const controller = new AbortController();
		const run = startRun({preset: tinyPreset(), runDir: dir, signal: controller.signal});
		const review = await run.review;
		controller.abort(Object.assign(new Error('interrupted'), {name: 'AbortError'}));
		const error = await review.write().catch((caught: unknown) => caught as Error);
		expect(exitCodeOf(error)).toBe(130);
		expect(run.snapshot().state).toBe('cancelled');
		expect(existsSync(path.join(dir, 'masks.vrt'))).toBe(false);
		await expectIntact(dir);
		await runToEnd(tinyPreset(), dir);
		expect(outputChecksums(dir)).toEqual(clean);
	});

	it('redoes damaged files of the run folder on resume (a truncated tile, probabilities and a mask), to a clean result', async () => {
		const dir = tempDir('damaged');
		await runToEnd(tinyPreset(), dir);
		const damaged = [
			'tiles/dsm/r000_c001.tif',
			'prob/r000_c000.tif',
			'prob/members/linknet-rgbd/r001_c000.tif',
			'masks/r001_c001.tif',
		];
		for (const file of damaged) truncateSync(path.join(dir, file), 40);
		const warnings: string[] = [];
		await runToEnd(
			tinyPreset(),
			dir,
			(event) => void (event.type === 'log' && event.level === 'warn' && warnings.push(event.message)),
		);
		expect(warnings).toEqual(
			expect.arrayContaining([
				expect.stringMatching(
					/^tile r000_c001: tiles\/dsm\/r000_c001\.tif does not match its recorded checksum, refetching/,
				),
				expect.stringMatching(/^tile r000_c000: its kept probabilities cannot be read .*inferring it again/),
				expect.stringMatching(/^tile r001_c000: its kept probabilities cannot be read .*inferring it again/),
			]),
		);
		await expectIntact(dir);
		expect(outputChecksums(dir)).toEqual(clean);
	});

	it('refuses an output folder under a file (exit 2), naming the folder, before fetching anything', async () => {
		const dir = tempDir('not-a-folder');
		const file = path.join(dir, 'results.txt');
		writeFileSync(file, 'not a folder');
		const out = path.join(file, 'run');
		const result = await spawnCli(tinyRunArgs(out));
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(
			`deepmask: cannot write the run folder ${out}: ${file} is a file, not a folder; choose another --out`,
		);
		expect(result.stderr).not.toMatch(/fetch {2}\[/);
	});

	it('refuses an output folder in a folder without write permission (exit 2), naming the folder', async (context) => {
		if (process.getuid?.() === 0)
			context.skip('running as root, which may write anywhere; the read-only filesystem case covers this');
		const dir = tempDir('no-permission');
		const locked = path.join(dir, 'locked');
		mkdirSync(locked, {mode: 0o555});
		const out = path.join(locked, 'run');
		const result = await spawnCli(tinyRunArgs(out));
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(
			`deepmask: cannot write the run folder ${out}: no permission to write in ${locked}; choose another --out`,
		);
		expect(existsSync(out)).toBe(false);
	});

	it('refuses an output folder on a read-only filesystem (exit 2), naming the folder', async (context) => {
		const dir = tempDir('read-only');
		const mount = path.join(dir, 'mnt');
		mkdirSync(mount);
		if (!mountTmpfs(mount, 'ro,size=64k'))
			context.skip('cannot mount a read-only tmpfs here (needs root with CAP_SYS_ADMIN)');
		try {
			const out = path.join(mount, 'run');
			const result = await spawnCli(tinyRunArgs(out));
			expect(result.code).toBe(2);
			expect(result.stderr).toMatch(
				new RegExp(`deepmask: cannot write the run folder ${out}: .*read-only.*; choose another --out`),
			);
			expect(existsSync(out)).toBe(false);
		} finally {
			unmount(mount);
		}
	});

	it('stops on a full disk (exit 1) naming the folder, leaves nothing half-written, and resumes once there is room', async (context) => {
		const dir = tempDir('full');
		const mount = path.join(dir, 'mnt');
		mkdirSync(mount);
		// Room for the tiles and some probabilities, not for everything (a clean run writes about 700 kB).
		if (!mountTmpfs(mount, 'size=400k'))
			context.skip('cannot mount a small tmpfs here to fill (needs root with CAP_SYS_ADMIN)');
		try {
			const out = path.join(mount, 'run');
			const result = await spawnCli(tinyRunArgs(out));
			expect(result.code).toBe(1);
			expect(result.stderr).toMatch(
				new RegExp(
					`deepmask: no space left on the device holding ${out}/\\S+; free some space or choose another --out, then rerun the same command to resume`,
				),
			);
			await expectIntact(out);
			execFileSync('mount', ['-o', 'remount,size=4m', mount]);
			await runToEnd(tinyPreset(), out);
			expect(outputChecksums(out)).toEqual(clean);
		} finally {
			unmount(mount);
		}
	});
});
