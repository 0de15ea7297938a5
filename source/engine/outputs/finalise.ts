/** The run-wide outputs, written once every tile is done: masks.vrt, masks.geojson, training metadata, stats.json. */
import path from 'node:path';
import type {StatsDocument} from '../masks/stats-types.js';
import type {Plan} from '../geo/plan.js';
import {writeMasksGeoJson} from './geojson/geojson.js';
import {maskPalette, type Size} from './mask-raster.js';
import {runFiles} from '../run-folder/paths.js';
import {writeStatsJson} from './stats/stats-json.js';
import {chipIndex, readChipSummary, type ChipSummary} from './training/training-chips.js';
import {writeTrainingMetadata} from './training/training-metadata.js';
import {writeMasksVrt} from './vrt/vrt.js';

export type FinaliseInput = {
	runDir: string;
	plan: Plan;
	maskSize?: Size;
	/** Class id → name, as the models' class_names, e.g. {"0": "background", "1": "building"}. */
	classNames: Record<string, string>;
	geojson: boolean;
	/**
	 * Given: write the training metadata over the chips in training/, with the summaries that
	 * writeTileOutputs returned; chips without a summary here (e.g. written before a resume) are read
	 * back from disk, so `[]` works too. Omitted: no training metadata.
	 */
	chips?: ChipSummary[];
	stats?: StatsDocument;
	/** GeoJSON simplification tolerance in mask pixels (default 1). */
	tolerance?: number;
};

export type FinaliseResult = {files: string[]; features?: number};

export function foregroundClass(classNames: Record<string, string>): {value: number; name: string} {
	return {value: 1, name: classNames['1'] ?? 'foreground'};
}

export async function finaliseOutputs(input: FinaliseInput): Promise<FinaliseResult> {
	const {runDir, plan} = input;
	const size = input.maskSize ?? {width: plan.tileSize, height: plan.tileSize};
	const files = [await writeMasksVrt(runDir, plan, input.maskSize)];
	const foreground = foregroundClass(input.classNames);
	let features: number | undefined;
	if (input.geojson) {
		const result = await writeMasksGeoJson(runDir, plan, {className: foreground.name, tolerance: input.tolerance});
		files.push(result.file);
		features = result.features;
	}
	if (input.chips) {
		const trainingDir = path.join(runDir, runFiles.trainingDir);
		const known = new Map(input.chips.map((chip) => [chip.tile, chip]));
		const chips: ChipSummary[] = [];
		for (const tile of plan.tiles) {
			const chip = known.get(tile.id) ?? (await readChipSummary(trainingDir, tile, chipIndex(tile, plan.cols)));
			if (chip) chips.push(chip);
		}
		const tileSide = plan.tileSize * plan.cellSize;
		files.push(
			...(await writeTrainingMetadata(trainingDir, {
				chips,
				classes: [{...foreground, color: maskPalette[1]}],
				epsg: plan.epsg,
				cellSize: {x: tileSide / size.width, y: tileSide / size.height},
				chipSize: size,
				nextIndex: plan.rows * plan.cols,
			})),
		);
	}
	if (input.stats) files.push(await writeStatsJson(runDir, input.stats));
	return {files, features};
}
