import {runFiles} from '../../run-folder/paths.js';
import {maskPalette} from '../masks/mask-palette.js';
import type {OutputWriter} from '../output-writer.js';
import {writeMasksVrt} from './vrt.js';

export const vrtWriter: OutputWriter = {
	label: () => runFiles.vrt,
	finalise: async (run) => {
		// Multi-class mosaics name their classes; binary ones stay as they always were.
		const {classes} = run.classes;
		const names = classes.length > 2 ? classes.map((info) => info.name) : undefined;
		return {files: [await writeMasksVrt(run.runDir, run.plan, maskPalette(run.classes), run.maskSize, names)]};
	},
};
