/** training/: an image/label chip per tile, then the metadata of the Classified Tiles layout over all of them. */
import path from 'node:path';
import {foregroundClasses} from '../../classes/class-config.js';
import {clipsToArea, outsideAreaValue} from '../../geo/area-clip.js';
import {resizeNearest} from '../../geo/resize-nearest.js';
import {runFiles} from '../../run-folder/paths.js';
import type {OutputRun, OutputWriter} from '../output-writer.js';
import {chipFiles, chipIndex, readChipSummary, writeTrainingChip, type ChipSummary} from './training-chips.js';
import {writeTrainingMetadata} from './training-metadata.js';

/** The summaries of the chips this run wrote, by tile id; chips written before (a resume, a shard) are read back from disk. */
type WrittenChips = Map<string, ChipSummary>;

function trainingDir(run: OutputRun): string {
	return path.join(run.runDir, runFiles.trainingDir);
}

/**
 * The label values the layout lists: every class but the background, as ArcGIS Pro's Export Training Data writes
 * them. Value 0 is the layout's NoData/background by definition, and arcgis.learn drops a listed class 0 and puts
 * its own "NoData" first, so listing it would only be read past. An uncertain class (classes.belowThreshold) is
 * listed with its value, so labels and metadata agree; a trainer can leave it out (arcgis.learn's ignore_classes).
 */
function classValues(run: OutputRun): number[] {
	return foregroundClasses(run.classes).map((info) => info.id);
}

export const trainingWriter: OutputWriter<WrittenChips> = {
	label: () => 'training data',
	usesRgb: true,
	start: () => new Map(),
	async perTile({tile, mask, size, rgb}, run, chips) {
		if (!rgb) throw new Error(`tile ${tile.id}: a training chip needs the RGB tile`);
		const chipSize = run.maskSize ?? size;
		const index = chipIndex(tile, run.plan.cols);
		const chip = await writeTrainingChip(trainingDir(run), {
			tile,
			index,
			epsg: run.plan.epsg,
			rgb,
			label: resizeNearest(mask, size, chipSize),
			size: chipSize,
			...(clipsToArea(run.plan) && {labelNodata: outsideAreaValue}),
			classValues: classValues(run),
		});
		chips.set(tile.id, chip);
		return chipFiles(trainingDir(run), index);
	},
	async finalise(run, written) {
		const {plan} = run;
		const chips: ChipSummary[] = [];
		for (const tile of plan.tiles) {
			const chip =
				written.get(tile.id) ??
				(await readChipSummary(trainingDir(run), tile, chipIndex(tile, plan.cols), classValues(run)));
			if (chip) chips.push(chip);
		}
		const chipSize = run.maskSize ?? {width: plan.tileSize, height: plan.tileSize};
		const tileSide = plan.tileSize * plan.cellSize;
		const files = await writeTrainingMetadata(trainingDir(run), {
			chips,
			classes: foregroundClasses(run.classes).map((info) => ({value: info.id, name: info.name, color: info.color})),
			epsg: plan.epsg,
			cellSize: {x: tileSide / chipSize.width, y: tileSide / chipSize.height},
			chipSize,
			nextIndex: plan.rows * plan.cols,
		});
		return {files};
	},
};
