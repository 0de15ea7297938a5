import {runFiles} from '../../run-folder/paths.js';
import type {OutputWriter} from '../output-writer.js';
import {foregroundClasses} from '../../classes/class-config.js';
import {writeMasksGeoJson} from './geojson.js';

export const geojsonWriter: OutputWriter = {
	label: ({features} = {}) =>
		features === undefined ? runFiles.geojson : `${runFiles.geojson} (${features} polygons)`,
	async finalise(run) {
		const {file, features} = await writeMasksGeoJson(run.runDir, run.plan, {
			classes: foregroundClasses(run.classes),
			tolerance: run.tolerance,
		});
		return {files: [file], features};
	},
};
