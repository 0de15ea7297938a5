import {runFiles} from '../../run-folder/paths.js';
import type {OutputWriter} from '../output-writer.js';
import {writeMasksGeoJson} from './geojson.js';

export const geojsonWriter: OutputWriter = {
	label: ({features} = {}) =>
		features === undefined ? runFiles.geojson : `${runFiles.geojson} (${features} polygons)`,
	async finalise(run) {
		// The polygons are those of mask value 1, class id 1.
		const {file, features} = await writeMasksGeoJson(run.runDir, run.plan, {
			className: run.classes.classes[1].name,
			tolerance: run.tolerance,
		});
		return {files: [file], features};
	},
};
