/**
 * Shared by the fault suite: tiny demo runs (2 × 2 tiles of 128 px), pointed at a service the test
 * controls, and the two checks every case ends with: nothing half-written, and (after a resume) the
 * outputs of a clean run.
 */
import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {expect} from 'vitest';
import {loadPreset, type LoadedPreset} from '../../source/config/presets.js';
import type {RunEvent} from '../../source/engine/pipeline/events.js';
import {startRun} from '../../source/app/start-run.js';
import {readGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {listFiles} from '../helpers/run-folder.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const tinyExtent = '1000100,6000100,1000220,6000220';

/** The --set overrides of a tiny demo run against the services under `servicesUrl` (none: the embedded demo). */
export function tinySets(servicesUrl?: string): string[] {
	const sets = ['tileSize=128', 'inference.batchSize=2', 'concurrency.downloads=4', 'concurrency.perHost=4'];
	if (servicesUrl) {
		sets.push(
			'embeddedDemo=false',
			`layers.rgb.url=${servicesUrl}/Demo/Imagery/MapServer`,
			`layers.dsm.url=${servicesUrl}/Demo/DSM/ImageServer`,
		);
	}
	return sets;
}

/** `deepmask run` of the tiny demo extent into `runDir` with these --set overrides, writing without asking. */
export function tinyRunArgs(runDir: string, sets = tinySets()): string[] {
	return [
		'run',
		'--preset',
		'demo',
		'--extent',
		tinyExtent,
		...sets.flatMap((set) => ['--set', set]),
		'--out',
		runDir,
		'--yes',
	];
}

export function tinyPreset(servicesUrl?: string, extra: string[] = []): LoadedPreset {
	return loadPreset('demo', {extent: tinyExtent, set: [...tinySets(servicesUrl), ...extra]});
}

export function tempDir(name: string): string {
	return mkdtempSync(path.join(os.tmpdir(), `deepmask-faults-${name}-`));
}

/** No temporary files, and every file present reads back whole (rasters decode, JSON parses). */
export async function expectIntact(dir: string, options: {temporaries?: boolean} = {}): Promise<void> {
	const files = listFiles(dir);
	if (!options.temporaries) expect(files.filter((file) => file.endsWith('.deepmask-tmp'))).toEqual([]);
	for (const file of files) {
		if (file.endsWith('.deepmask-tmp')) continue;
		const full = path.join(dir, file);
		if (file.endsWith('.tif')) {
			const raster = await readGeoTiffFile(full).catch((error: unknown) => new Error(`${file}: ${String(error)}`));
			expect(raster, file).not.toBeInstanceOf(Error);
		} else if (file.endsWith('.json') || file.endsWith('.geojson') || file.endsWith('.emd')) {
			expect(() => JSON.parse(readFileSync(full, 'utf8')), file).not.toThrow();
		} else if (file.endsWith('.vrt')) {
			expect(readFileSync(full, 'utf8').trimEnd(), file).toMatch(/<\/VRTDataset>$/);
		}
	}
}

export async function runToEnd(
	preset: LoadedPreset,
	runDir: string,
	onEvent?: (event: RunEvent) => void,
): Promise<void> {
	const run = startRun({preset, runDir});
	if (onEvent) run.subscribe(onEvent);
	const review = await run.review;
	await review.write();
}

/** The run's error, or a failure of the test when it succeeded. */
export async function runError(
	preset: LoadedPreset,
	runDir: string,
	onEvent?: (event: RunEvent) => void,
): Promise<Error> {
	const error = await runToEnd(preset, runDir, onEvent).then(
		() => new Error('expected the run to fail'),
		(caught: unknown) => caught as Error,
	);
	expect(error.message).not.toBe('expected the run to fail');
	return error;
}

export type ChildResult = {code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string};

/**
 * `deepmask ARGS` from source as a child process; `onOutput` sees stdout and stderr so far after each chunk
 * and may signal the child.
 */
export function spawnCli(
	args: string[],
	onOutput?: (output: {stdout: string; stderr: string}, child: ReturnType<typeof spawn>) => void,
	env: NodeJS.ProcessEnv = {},
): Promise<ChildResult> {
	const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'source/cli.tsx'), ...args], {
		cwd: repoRoot,
		env: {...process.env, NO_COLOR: '1', ...env},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => {
		stdout += chunk.toString();
		onOutput?.({stdout, stderr}, child);
	});
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
		onOutput?.({stdout, stderr}, child);
	});
	return new Promise((resolve) => child.on('close', (code, signal) => resolve({code, signal, stdout, stderr})));
}
