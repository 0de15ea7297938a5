/**
 * Whole runs with `kind: "file"` layers: the tiles a demo run fetched from the ImageServer, mosaicked into
 * one GeoTIFF per layer, give the same masks (the same pixels, the same masks); and a run from files resumes
 * after SIGKILL at any stage to the outputs of a clean run, as the ArcGIS kinds do.
 */
import {execFileSync} from 'node:child_process';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {loadPreset} from '../../source/config/presets.js';
import type {GeoRaster} from '../../source/engine/geo/georaster.js';
import {readGeoTiffFile, writeGeoTiffFile} from '../../source/engine/geo/geotiff.js';
import {outputChecksums} from '../helpers/run-folder.js';
import {expectIntact, repoRoot, runToEnd, spawnCli, tempDir, tinyExtent, tinySets} from '../faults/helpers.js';
import {hasGdal} from './file-helpers.js';

/** One raster of all the tiles of a layer in a run folder (they share one grid). */
async function mosaic(tilesDir: string): Promise<GeoRaster> {
	const tiles = await Promise.all(
		readdirSync(tilesDir)
			.filter((file) => file.endsWith('.tif'))
			.map((file) => readGeoTiffFile(path.join(tilesDir, file))),
	);
	const [first] = tiles;
	const cell = (first.bbox.xmax - first.bbox.xmin) / first.width;
	const bbox = {
		xmin: Math.min(...tiles.map((tile) => tile.bbox.xmin)),
		ymin: Math.min(...tiles.map((tile) => tile.bbox.ymin)),
		xmax: Math.max(...tiles.map((tile) => tile.bbox.xmax)),
		ymax: Math.max(...tiles.map((tile) => tile.bbox.ymax)),
	};
	const width = Math.round((bbox.xmax - bbox.xmin) / cell);
	const height = Math.round((bbox.ymax - bbox.ymin) / cell);
	const {bands} = first;
	const data =
		first.data instanceof Uint8Array
			? new Uint8Array(width * height * bands)
			: new Float32Array(width * height * bands);
	let nodataMask: Uint8Array | undefined;
	for (const tile of tiles) {
		const col0 = Math.round((tile.bbox.xmin - bbox.xmin) / cell);
		const row0 = Math.round((bbox.ymax - tile.bbox.ymax) / cell);
		for (let row = 0; row < tile.height; row++) {
			const to = ((row0 + row) * width + col0) * bands;
			data.set(tile.data.subarray(row * tile.width * bands, (row + 1) * tile.width * bands), to);
			if (tile.nodataMask) {
				nodataMask ??= new Uint8Array(width * height);
				nodataMask.set(tile.nodataMask.subarray(row * tile.width, (row + 1) * tile.width), (row0 + row) * width + col0);
			}
		}
	}
	const raster: GeoRaster = {width, height, bands, data, bbox, epsg: first.epsg};
	if (first.nodata !== undefined) raster.nodata = first.nodata;
	if (nodataMask) raster.nodataMask = nodataMask;
	return raster;
}

/** The demo preset with file layers, written beside the files so that its relative paths resolve there. */
function writeFilePreset(dir: string, rgb: string, dsm: string): string {
	const demo = JSON.parse(readFileSync(path.join(repoRoot, 'presets/demo.json'), 'utf8')) as Record<string, unknown>;
	const preset = {
		...demo,
		description: 'the demo from GeoTIFFs',
		embeddedDemo: false,
		layers: {
			rgb: {kind: 'file', path: rgb, pixelType: 'U8'},
			dsm: {kind: 'file', path: dsm, pixelType: 'F32', resampling: 'bilinear'},
		},
		models: [path.join(repoRoot, 'models/demo')],
	};
	const file = path.join(dir, 'from-files.json');
	writeFileSync(file, JSON.stringify(preset, null, 2));
	return file;
}

/** The tiny demo run's overrides, less those that point at services. */
const fileSets = tinySets();

let serviceRun: string;
let filesDir: string;
let presetFile: string;

beforeAll(async () => {
	serviceRun = tempDir('from-service');
	await runToEnd(loadPreset('demo', {extent: tinyExtent, set: tinySets()}), serviceRun);
	filesDir = tempDir('files');
	await writeGeoTiffFile(path.join(filesDir, 'ortho.tif'), await mosaic(path.join(serviceRun, 'tiles/rgb')));
	await writeGeoTiffFile(path.join(filesDir, 'dsm.tif'), await mosaic(path.join(serviceRun, 'tiles/dsm')));
	presetFile = writeFilePreset(filesDir, 'ortho.tif', 'dsm.tif');
}, 120_000);

describe('a run from files', () => {
	it('gives the same tiles, probabilities and masks as the run from the ImageServer it was made from', async () => {
		const fromFiles = tempDir('from-files');
		const loaded = loadPreset(presetFile, {extent: tinyExtent, set: fileSets});
		expect(loaded.preset.layers.rgb).toMatchObject({kind: 'file', path: path.join(filesDir, 'ortho.tif')});
		await runToEnd(loaded, fromFiles);
		expect(outputChecksums(fromFiles)).toEqual(outputChecksums(serviceRun));
		const manifest = JSON.parse(readFileSync(path.join(fromFiles, 'manifest.json'), 'utf8')) as {
			tiles: Record<string, Record<string, {sources: string[]; fingerprint: Record<string, unknown>}>>;
		};
		expect(JSON.stringify(manifest)).toContain(path.join(filesDir, 'ortho.tif'));
	});

	it('mixes kinds: RGB from the MapServer, the DSM from its file, the same masks again', async () => {
		const mixed = tempDir('mixed');
		const dsm = JSON.stringify({kind: 'file', path: path.join(filesDir, 'dsm.tif'), pixelType: 'F32'});
		const loaded = loadPreset('demo', {extent: tinyExtent, set: [...tinySets(), `layers.dsm=${dsm}`]});
		expect(loaded.preset.layers).toMatchObject({rgb: {kind: 'MapServer'}, dsm: {kind: 'file'}});
		await runToEnd(loaded, mixed);
		expect(outputChecksums(mixed)).toEqual(outputChecksums(serviceRun));
	});

	it.skipIf(!hasGdal)(
		'gives the same masks from COGs mosaicked by GDAL (gdalbuildvrt, gdal_translate -of COG)',
		async () => {
			const dir = tempDir('cogs');
			for (const layer of ['rgb', 'dsm']) {
				const tiles = readdirSync(path.join(serviceRun, 'tiles', layer)).map((file) =>
					path.join(serviceRun, 'tiles', layer, file),
				);
				execFileSync('gdalbuildvrt', ['-q', path.join(dir, `${layer}.vrt`), ...tiles]);
				execFileSync('gdal_translate', [
					'-q',
					'-of',
					'COG',
					path.join(dir, `${layer}.vrt`),
					path.join(dir, `${layer}.tif`),
				]);
			}
			const fromCogs = tempDir('from-cogs');
			await runToEnd(
				loadPreset(writeFilePreset(dir, 'rgb.tif', 'dsm.tif'), {extent: tinyExtent, set: fileSets}),
				fromCogs,
			);
			const service = outputChecksums(serviceRun);
			const cogs = outputChecksums(fromCogs);
			for (const file of Object.keys(service).filter((name) => name.startsWith('masks/') || name.startsWith('prob/')))
				expect(cogs[file], file).toBe(service[file]);
			expect(cogs['stats.json']).toBe(service['stats.json']);
		},
	);

	it('resumes after SIGKILL at any stage to the outputs of a clean run', async () => {
		const clean = outputChecksums(serviceRun);
		for (const marker of ['fetch  [1/4]', 'infer  [1/4]', 'write  [1/4]']) {
			const killed = tempDir('files-killed');
			let sent = false;
			const args = [
				'run',
				'--preset',
				presetFile,
				'--extent',
				tinyExtent,
				...fileSets.flatMap((set) => ['--set', set]),
			];
			const result = await spawnCli([...args, '--out', killed, '--yes'], ({stderr}, child) => {
				if (!sent && stderr.includes(marker)) {
					sent = true;
					child.kill('SIGKILL');
				}
			});
			expect(result.signal, `killed at ${marker}`).toBe('SIGKILL');
			await expectIntact(killed, {temporaries: true});
			await runToEnd(loadPreset(presetFile, {extent: tinyExtent, set: fileSets}), killed);
			expect(outputChecksums(killed), `resumed after ${marker}`).toEqual(clean);
		}
	}, 240_000);
});
