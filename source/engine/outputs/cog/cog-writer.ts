import {runFiles} from '../../run-folder/paths.js';
import {maskPalette} from '../masks/mask-palette.js';
import type {OutputWriter} from '../output-writer.js';
import {writeMasksCog} from './masks-cog.js';

export const cogWriter: OutputWriter = {
	label: () => runFiles.cog,
	finalise: async (run) => ({
		files: [await writeMasksCog(run.runDir, run.plan, maskPalette(run.classes), run.maskSize)],
	}),
};
