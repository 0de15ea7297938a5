import {runFiles} from '../../run-folder/paths.js';
import {maskPalette} from '../masks/mask-palette.js';
import type {OutputWriter} from '../output-writer.js';
import {writeMasksVrt} from './vrt.js';

export const vrtWriter: OutputWriter = {
	label: () => runFiles.vrt,
	finalise: async (run) => ({
		files: [await writeMasksVrt(run.runDir, run.plan, maskPalette(run.classes), run.maskSize)],
	}),
};
