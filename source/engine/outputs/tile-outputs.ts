/** Everything written per tile as it finishes: mask, probabilities, training chip. */
import path from 'node:path';
import type {Tile} from '../geo/plan.js';
import type {GeoRaster} from '../geo/georaster.js';
import {writeGeoTiffFile} from '../geo/geotiff.js';
import {maskRaster, probabilityRaster, type Size} from './mask-raster.js';
import {maskFile, memberProbabilityFile, probabilityFile, runFiles} from '../run-folder/paths.js';
import {chipIndex, writeTrainingChip, type ChipSummary} from './training/training-chips.js';

export type TileOutputInput = {
	runDir: string;
	tile: Tile;
	epsg: number;
	/** Columns of the plan's grid (numbers the training chip). */
	cols: number;
	/** Final mask 0/1 at the analysis size `size`. */
	mask: Uint8Array;
	size: Size;
	/** Written masks and training chips have this size (nearest neighbour); default `size`. */
	maskSize?: Size;
	/** Ensemble and member probabilities × 255 at `size`; written to prob/ when given. */
	probabilities?: {ensemble: Uint8Array; members: Array<{model: string; probability: Uint8Array}>};
	/** The RGB tile; a training chip is written when given. */
	rgb?: GeoRaster;
};

export type TileOutputResult = {files: string[]; chip?: ChipSummary};

export async function writeTileOutputs(input: TileOutputInput): Promise<TileOutputResult> {
	const {runDir, tile, epsg, size} = input;
	const outSize = input.maskSize ?? size;
	const files: string[] = [];
	const mask = maskRaster(tile, epsg, input.mask, size, outSize);
	files.push(maskFile(runDir, tile.id));
	await writeGeoTiffFile(files[0], mask);

	if (input.probabilities) {
		const writes = [
			{file: probabilityFile(runDir, tile.id), data: input.probabilities.ensemble},
			...input.probabilities.members.map((member) => ({file: memberProbabilityFile(runDir, member.model, tile.id), data: member.probability})),
		];
		for (const {file, data} of writes) {
			await writeGeoTiffFile(file, probabilityRaster(tile, epsg, data, size));
			files.push(file);
		}
	}

	let chip: ChipSummary | undefined;
	if (input.rgb) {
		const trainingDir = path.join(runDir, runFiles.trainingDir);
		chip = await writeTrainingChip(trainingDir, {tile, index: chipIndex(tile, input.cols), epsg, rgb: input.rgb, label: mask.data as Uint8Array, size: outSize});
	}
	return {files, chip};
}
