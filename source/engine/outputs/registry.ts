/** Every output format by its name in output.formats (config/preset-schema.ts lists the names, in the order they run). */
import {cogWriter} from './cog/cog-writer.js';
import {geojsonWriter} from './geojson/geojson-writer.js';
import {masksWriter} from './masks/masks-writer.js';
import type {OutputWriters} from './output-writer.js';
import {statsWriter} from './stats/stats-writer.js';
import {trainingWriter} from './training/training-writer.js';
import {vrtWriter} from './vrt/vrt-writer.js';

export const outputWriters: OutputWriters = {
	masks: masksWriter,
	vrt: vrtWriter,
	cog: cogWriter,
	geojson: geojsonWriter,
	training: trainingWriter,
	stats: statsWriter,
};
