import {runFiles} from '../../run-folder/paths.js';
import type {OutputWriter} from '../output-writer.js';
import {writeStatsJson} from './stats-json.js';

export const statsWriter: OutputWriter = {
	label: () => runFiles.stats,
	finalise: async (run) => ({files: [await writeStatsJson(run.runDir, run.stats)]}),
};
