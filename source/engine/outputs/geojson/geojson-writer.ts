import {runFiles} from '../../run-folder/paths.js';
import type {OutputRun, OutputWriter} from '../output-writer.js';
import {foregroundClasses} from '../../classes/class-config.js';
import {writeMasksGeoJson, type GeoJsonOptions} from './geojson.js';
import {PolygonsAsYouGo} from './as-you-go.js';

const optionsOf = (run: OutputRun): GeoJsonOptions => ({
	classes: foregroundClasses(run.classes),
	tolerance: run.tolerance,
});

export const geojsonWriter: OutputWriter<PolygonsAsYouGo | undefined> = {
	label: ({features} = {}) =>
		features === undefined ? runFiles.geojson : `${runFiles.geojson} (${features} polygons)`,
	start: (run) => (run.asYouGo ? new PolygonsAsYouGo(run.plan, optionsOf(run)) : undefined),
	tileWritten({tile, mask, size}, run, polygons) {
		polygons?.add(tile, mask, size, run.maskSize);
	},
	async finalise(run, polygons) {
		const {file, features} = await writeMasksGeoJson(run.runDir, run.plan, optionsOf(run), polygons?.result());
		return {files: [file], features};
	},
};
