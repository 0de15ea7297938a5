/**
 * One fetched tile through the ensemble: probabilities kept from an earlier run when still valid, else
 * inferred and written to prob/ with their manifest entry; then, when the run writes as it goes, the tile's
 * mask at the run's threshold. Statistics come later, of the whole mosaic (mosaic-summary.ts).
 */
import {probabilityBytes} from '../classes/threshold-byte.js';
import path from 'node:path';
import type {LayerName, Preset} from '../../config/preset-schema.js';
import {messageOf} from '../../errors.js';
import type {FetchedTile} from '../fetch/fetch-tiles.js';
import {tileOutsideArea} from '../geo/area-clip.js';
import {writeGeoTiffFile} from '../geo/geotiff.js';
import type {Plan} from '../geo/plan.js';
import {eitherNodata, nodataMask} from '../infer/preprocess.js';
import type {ClassConfig} from '../classes/class-config.js';
import type {Threshold} from '../classes/threshold.js';
import type {Ensemble} from '../infer/types.js';
import {tileMask} from '../masks/tile-stats.js';
import {probabilityRaster} from '../outputs/probability-raster.js';
import {keptProbabilities, probabilityStage, type InferenceFingerprint} from '../run-folder/inference-fingerprint.js';
import {memberProbabilityFile, probabilityFile} from '../run-folder/paths.js';
import type {RunFolder} from '../run-folder/run-folder.js';
import type {GeoRaster} from '../geo/georaster.js';
import type {ContextTile} from './context-tiles.js';
import type {SlidingCost} from './events.js';
import type {RunLifecycle} from './lifecycle.js';
import type {ProbabilityCache} from './probability-cache.js';
import {readTileProbabilities} from './restat.js';

/**
 * The run's nodata mask: 1 where the RGB or the DSM has no data (as the ensemble sees it: its probabilities are
 * 0 there); undefined when both have data everywhere.
 */
export function nodataOf(rgb: GeoRaster | undefined, dsm: GeoRaster | undefined): Uint8Array | undefined {
	const dsmNodata = dsm
		? nodataMask({data: dsm.data as Float32Array, width: dsm.width, height: dsm.height, nodata: dsm.nodata})
		: undefined;
	return eitherNodata(rgb?.nodataMask, dsmNodata);
}

export type InferStageContext = {
	plan: Plan;
	preset: Preset;
	folder: RunFolder;
	ensemble: Ensemble;
	/** The run's classes: the models', with an uncertain class when the preset asks for one. */
	classes: ClassConfig;
	threshold: Threshold;
	/** Whether the tile's mask is wanted at once (a run writing as it goes, without post-processing). */
	masks: boolean;
	/** What determines the probabilities besides the input tiles (models, mode, size). */
	fingerprintBase: Omit<InferenceFingerprint, 'inputs'>;
	/** Decoded probabilities for the review's first threshold changes. */
	cache: ProbabilityCache;
	lifecycle: RunLifecycle;
};

/** A fetched tile, in sliding mode with its neighbours' pixels (see context-tiles.ts). */
export type TileToInfer = FetchedTile & Partial<Pick<ContextTile, 'withContext' | 'marginPixels'>>;

/** What the run keeps of an inferred tile: its mask when asked for, and whether its source has nodata pixels. */
export type InferredTile = {mask?: Uint8Array; hasNodata: boolean};

export async function inferTile(fetched: TileToInfer, context: InferStageContext): Promise<InferredTile> {
	const {plan, preset, folder, ensemble, classes, threshold, cache, lifecycle} = context;
	const {tile} = fetched;
	const {dir, manifest} = folder;
	const modelNames = ensemble.models.map((model) => model.name);
	const size = {width: tile.width, height: tile.height};
	const fingerprint: InferenceFingerprint = {
		...context.fingerprintBase,
		inputs: Object.fromEntries(
			(['rgb', 'dsm'] as LayerName[])
				.filter((layer) => preset.layers[layer])
				.map((layer) => [layer, manifest.get(layer, tile.id)?.sha256 as string | undefined]),
		),
	};
	const nodata = nodataOf(fetched.rgb, fetched.dsm);
	const hasNodata = nodata?.includes(1) ?? false;
	const maskOf = (probability: Uint8Array) =>
		context.masks
			? tileMask({probability, ...size, threshold, classes, nodata, outside: tileOutsideArea(plan, tile)})
			: undefined;
	const earlier = await keptProbabilities(dir, manifest, tile.id, fingerprint);
	if (earlier.changed)
		lifecycle.log(
			'warn',
			`tile ${tile.id}: ${earlier.changed.join(', ')} changed since the earlier run, inferring it again`,
		);
	if (earlier.kept) {
		// A damaged probability file (edited, disk trouble) is inferred again rather than failing every resume.
		const kept = await readTileProbabilities(dir, tile, modelNames, classes, cache).catch((error: unknown) => {
			lifecycle.log(
				'warn',
				`tile ${tile.id}: its kept probabilities cannot be read (${messageOf(error)}), inferring it again`,
			);
			return undefined;
		});
		if (kept) {
			lifecycle.emit({type: 'tile-inferred', tileId: tile.id, skipped: true});
			return {mask: maskOf(kept.ensemble.data), hasNodata};
		}
	}
	const started = Date.now();
	const image = fetched.withContext?.() ?? {
		rgb: {data: fetched.rgb.data as Uint8Array, width: fetched.rgb.width, height: fetched.rgb.height},
		dsm: fetched.dsm
			? {
					data: fetched.dsm.data as Float32Array,
					width: fetched.dsm.width,
					height: fetched.dsm.height,
					nodata: fetched.dsm.nodata,
				}
			: undefined,
		...(fetched.rgb.nodataMask && {rgbNodata: fetched.rgb.nodataMask}),
	};
	const prediction = await ensemble.predict({
		id: tile.id,
		...image,
		outWidth: size.width,
		outHeight: size.height,
		// The tile's own nodata is the ensemble's missing pixels; a tile with its context's pixels has more.
		...(!fetched.withContext && {missing: nodata ?? null}),
	});
	const sliding: SlidingCost | undefined = fetched.withContext && {
		windows: prediction.windows.inferred,
		extraWindows: prediction.windows.inferred - prediction.windows.withoutContext,
		tilePixels: tile.width * tile.height,
		marginPixels: fetched.marginPixels ?? 0,
	};
	const probability = probabilityBytes(prediction.probability);
	const members = prediction.members.map(probabilityBytes);
	const written = [
		{file: probabilityFile(dir, tile.id), data: probability},
		...modelNames.map((model, k) => ({file: memberProbabilityFile(dir, model, tile.id), data: members[k]})),
	];
	for (const {file, data} of written) {
		await writeGeoTiffFile(file, probabilityRaster(tile, plan.epsg, data, size));
		await cache.put(file, {data, ...size});
	}
	manifest.set(probabilityStage, tile.id, {
		state: 'done',
		file: path.relative(dir, probabilityFile(dir, tile.id)).split(path.sep).join('/'),
		fingerprint,
		ms: Date.now() - started,
		...(sliding && {sliding}),
	});
	manifest.saveSoon();
	lifecycle.emit({type: 'tile-inferred', tileId: tile.id, skipped: false, ...(sliding && {sliding})});
	return {mask: maskOf(probability), hasNodata};
}
