import {execFileSync, spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadPreset, type LoadedPreset} from '../../source/config/presets.js';
import type {RunEvent} from '../../source/engine/pipeline/events.js';
import {startRun} from '../../source/app/start-run.js';
import {readGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {listFiles, outputChecksums} from '../helpers/run-folder.js';
import {hasGdal} from '../helpers/gdal.js';

/** A 2 × 2 grid of 128-px tiles of the demo town. */
function tinyDemo(): LoadedPreset {
	return loadPreset('demo', {
		extent: '1000100,6000100,1000220,6000220',
		set: ['tileSize=128', 'inference.batchSize=2'],
	});
}

function tempDir(name: string): string {
	return mkdtempSync(path.join(os.tmpdir(), `deepmask-${name}-`));
}

/** Every [x, y] of a Polygon's or MultiPolygon's coordinates. */
function positions(coordinates: unknown[]): Array<[number, number]> {
	return typeof coordinates[0] === 'number'
		? [coordinates as [number, number]]
		: coordinates.flatMap((part) => positions(part as unknown[]));
}

async function runToEnd(preset: LoadedPreset, runDir: string, events: RunEvent[] = [], writeAsYouGo = false) {
	const run = startRun({preset, runDir, writeAsYouGo});
	run.subscribe((event) => events.push(event));
	const review = await run.review;
	const written = await review.write();
	return {run, review, written, events};
}

describe('deepmask run on the demo', () => {
	it('writes every file of the run folder, and each reads back right', async () => {
		const runDir = tempDir('run');
		const {run, written, events} = await runToEnd(tinyDemo(), runDir);
		const {plan} = run;
		expect(plan.tiles).toHaveLength(4);
		const files = listFiles(runDir);
		for (const expected of [
			'plan.json',
			'manifest.json',
			'status.json',
			'masks.vrt',
			'masks.tif',
			'masks.geojson',
			'stats.json',
			'training/map.txt',
			'training/esri_model_definition.emd',
		]) {
			expect(files).toContain(expected);
		}
		for (const tile of plan.tiles) {
			for (const file of [
				`tiles/rgb/${tile.id}.tif`,
				`tiles/dsm/${tile.id}.tif`,
				`prob/${tile.id}.tif`,
				`masks/${tile.id}.tif`,
			])
				expect(files).toContain(file);
			const mask = await readGeoTiffFile(path.join(runDir, 'masks', `${tile.id}.tif`));
			expect(mask.bbox).toEqual(tile.bbox);
			expect(mask.epsg).toBe(3857);
			expect(mask.colorMap).toBeDefined();
			expect(new Set(mask.data)).toSatisfy((values: Set<number>) =>
				[...values].every((value) => value === 0 || value === 1),
			);
		}
		expect(files.filter((file) => file.startsWith('training/images/') && file.endsWith('.tif'))).toHaveLength(4);
		expect(files.filter((file) => file.startsWith('training/labels/') && file.endsWith('.tif'))).toHaveLength(4);
		expect(written.tiles).toBe(4);

		const stats = JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8')) as {
			overall: {tiles: number; foregroundFraction: number; members: unknown[]};
		};
		expect(stats.overall.tiles).toBe(4);
		expect(stats.overall.foregroundFraction).toBeGreaterThan(0.02);
		expect(stats.overall.members.length).toBeGreaterThanOrEqual(3);

		const geojson = JSON.parse(readFileSync(path.join(runDir, 'masks.geojson'), 'utf8')) as {
			features: Array<{geometry: {coordinates: unknown[]}}>;
		};
		expect(geojson.features.length).toBeGreaterThan(0);
		for (const feature of geojson.features) {
			for (const [x, y] of positions(feature.geometry.coordinates)) {
				expect(x).toBeGreaterThanOrEqual(plan.adjusted.xmin);
				expect(x).toBeLessThanOrEqual(plan.adjusted.xmax);
				expect(y).toBeGreaterThanOrEqual(plan.adjusted.ymin);
				expect(y).toBeLessThanOrEqual(plan.adjusted.ymax);
			}
		}

		const status = JSON.parse(readFileSync(path.join(runDir, 'status.json'), 'utf8')) as {
			snapshot: {state: string; written: number};
		};
		expect(status.snapshot).toMatchObject({state: 'done', written: 4});
		expect(events.filter((event) => event.type === 'model-ready').length).toBeGreaterThanOrEqual(3);
		expect(events.at(-1)).toMatchObject({type: 'run-end', state: 'done'});

		if (hasGdal) {
			const info = JSON.parse(
				execFileSync('gdalinfo', ['-json', path.join(runDir, 'masks.vrt')], {encoding: 'utf8'}),
			) as {size: number[]; geoTransform: number[]};
			expect(info.size).toEqual([256, 256]);
			expect(info.geoTransform).toEqual([plan.adjusted.xmin, 0.5, 0, plan.adjusted.ymax, 0, -0.5]);
		}
	});

	it('resumes an interrupted run to byte-identical outputs, and reuses what is valid', async () => {
		const clean = tempDir('clean');
		await runToEnd(tinyDemo(), clean);

		const interrupted = tempDir('interrupted');
		const controller = new AbortController();
		const first = startRun({preset: tinyDemo(), runDir: interrupted, signal: controller.signal});
		first.subscribe((event) => {
			if (event.type === 'tile-inferred') controller.abort();
		});
		await expect(first.review).rejects.toThrow();

		const events: RunEvent[] = [];
		await runToEnd(tinyDemo(), interrupted, events);
		expect(events.some((event) => event.type === 'tile-inferred' && event.skipped)).toBe(true);
		expect(outputChecksums(interrupted)).toEqual(outputChecksums(clean));

		// Writing as tiles are inferred (run --yes) gives the same outputs.
		const again: RunEvent[] = [];
		await runToEnd(tinyDemo(), interrupted, again, true);
		expect(again.filter((event) => event.type === 'model-tile')).toHaveLength(0);
		expect(outputChecksums(interrupted)).toEqual(outputChecksums(clean));
		// Each tile is written once: the final write of tiles written early says nothing again.
		const written = again.flatMap((event) => (event.type === 'tile-written' ? [event.tileId] : []));
		expect(written).toHaveLength(4);
		expect(new Set(written).size).toBe(4);
	});

	it('resumes after SIGKILL at any stage to byte-identical outputs', async () => {
		const clean = tempDir('kill-clean');
		await runToEnd(tinyDemo(), clean);
		// Kill the process after its first fetched tile, its first inferred tile and its first written tile.
		for (const marker of ['fetch  [1/4]', 'infer  [1/4]', 'write  [1/4]']) {
			const killed = tempDir('killed');
			const child = spawn(
				process.execPath,
				[
					'--import',
					'tsx',
					path.resolve('source/cli.tsx'),
					'run',
					'--preset',
					'demo',
					'--extent',
					'1000100,6000100,1000220,6000220',
					'--set',
					'tileSize=128',
					'--set',
					'inference.batchSize=2',
					'--out',
					killed,
					'--yes',
				],
				{stdio: ['ignore', 'ignore', 'pipe']},
			);
			let stderr = '';
			const exited = new Promise<NodeJS.Signals | null>((resolve) =>
				child.on('exit', (_code, signal) => resolve(signal)),
			);
			child.stderr.on('data', (chunk: Buffer) => {
				stderr += chunk.toString();
				if (stderr.includes(marker)) child.kill('SIGKILL');
			});
			expect(await exited).toBe('SIGKILL');
			await runToEnd(tinyDemo(), killed);
			expect(outputChecksums(killed)).toEqual(outputChecksums(clean));
		}
	}, 180_000); // three child runs: on a loaded two-core machine over the default minute

	it('says which setting invalidated earlier probabilities and infers those tiles again', async () => {
		const runDir = tempDir('changed');
		await runToEnd(tinyDemo(), runDir);
		const events: RunEvent[] = [];
		await runToEnd(
			loadPreset('demo', {
				extent: '1000100,6000100,1000220,6000220',
				set: ['tileSize=128', 'inference.batchSize=2', 'inference.mode=sliding'],
			}),
			runDir,
			events,
		);
		const warnings = events
			.filter((event) => event.type === 'log' && event.level === 'warn')
			.map((event) => (event as {message: string}).message);
		expect(warnings).toContain('tile r000_c000: mode changed since the earlier run, inferring it again');
		expect(events.filter((event) => event.type === 'tile-inferred' && event.skipped)).toHaveLength(0);
	});

	it('changes masks and statistics with the threshold without running the models again', async () => {
		const runDir = tempDir('threshold');
		const events: RunEvent[] = [];
		const run = startRun({preset: tinyDemo(), runDir});
		run.subscribe((event) => events.push(event));
		const review = await run.review;
		const before = review.stats().overall;
		const start = before.threshold as number;
		const modelTiles = events.filter((event) => event.type === 'model-tile').length;

		const higher = (await review.setThreshold(Math.min(0.95, start + 0.3))).overall;
		expect(higher.foregroundPixels).toBeLessThan(before.foregroundPixels);
		const lower = (await review.setThreshold(Math.max(0.05, start - 0.3))).overall;
		expect(lower.foregroundPixels).toBeGreaterThan(before.foregroundPixels);
		expect(events.filter((event) => event.type === 'model-tile').length).toBe(modelTiles);

		// The terminal preview: the tile's RGB and mask, nearest-neighbour at the requested size.
		const preview = await review.preview('r000_c001', 16, 8);
		const rgb = await readGeoTiffFile(path.join(runDir, 'tiles/rgb/r000_c001.tif'));
		expect(preview.rgb).toHaveLength(16 * 8 * 3);
		expect(preview.mask).toHaveLength(16 * 8);
		expect(preview.mask.every((value) => value === 0 || value === 1)).toBe(true);
		// Output pixel (1, 2) samples source pixel (floor(1.5 × 128 / 16), floor(2.5 × 128 / 8)) = (12, 40).
		const source = (40 * rgb.width + 12) * 3;
		expect([...preview.rgb.subarray((2 * 16 + 1) * 3, (2 * 16 + 1) * 3 + 3)]).toEqual([
			...rgb.data.subarray(source, source + 3),
		]);

		// The previewed tile's mask after a new threshold (kept from the statistics' pass): the one written at it.
		await review.setThreshold(higher.threshold);
		const fewer = await review.preview('r000_c001', 128, 128);
		await review.setThreshold(lower.threshold);
		const more = await review.preview('r000_c001', 128, 128);
		const count = (mask: Uint8Array) => mask.reduce((total, value) => total + value, 0);
		expect(count(fewer.mask)).toBeLessThan(count(more.mask));

		await review.write();
		const stats = JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8')) as {
			overall: {threshold: number; foregroundPixels: number};
		};
		expect(stats.overall.threshold).toBeCloseTo(lower.threshold as number);
		expect(stats.overall.foregroundPixels).toBe(lower.foregroundPixels);
		const written = await readGeoTiffFile(path.join(runDir, 'masks/r000_c001.tif'));
		expect([...more.mask]).toEqual([...written.data]);
		expect(statSync(path.join(runDir, 'masks.vrt')).size).toBeGreaterThan(0);
	});
});
