/**
 * The formats of output.formats for one run, run as a list: every finished tile goes through each
 * format's per-tile step, in the order of the list, then the formats write their run-wide files.
 */
import type {StatsDocument} from '../masks/stats-types.js';
import type {OutputCounts, OutputFormat, OutputRun, TileOutput, WrittenFiles} from './output-writer.js';
import {outputWriters} from './registry.js';

export type OutputSettings = OutputRun & {formats: OutputFormat[]};

export type RunOutputs = {
	readonly settings: OutputSettings;
	/** Some format needs the tiles' RGB. */
	readonly usesRgb: boolean;
	/** Writes the tile's files of every format; returns their paths. Writing a tile again replaces what its first write left. */
	writeTile(tile: TileOutput): Promise<string[]>;
	/** Writes every format's run-wide files. */
	finalise(stats: StatsDocument): Promise<WrittenFiles>;
};

/** Writes a run's run-wide files; a shard records its share instead (engine/shard/shard-run.ts). */
export type Finaliser = (outputs: RunOutputs, stats: StatsDocument) => Promise<WrittenFiles>;

export function openOutputs(settings: OutputSettings): RunOutputs {
	const formats = settings.formats.map((format) => {
		const writer = outputWriters[format];
		return {writer, state: writer.start?.(settings)};
	});
	return {
		settings,
		usesRgb: formats.some(({writer}) => writer.usesRgb),
		async writeTile(tile) {
			const files: string[] = [];
			for (const {writer, state} of formats)
				if (writer.perTile) files.push(...(await writer.perTile(tile, settings, state)));
			for (const {writer, state} of formats) writer.tileWritten?.(tile, settings, state);
			return files;
		},
		async finalise(stats) {
			// Side by side: each format's files are its own, and one deflates on libuv's pool (masks.tif) while
			// another polygonises on the main thread (masks.geojson). The first failure in the list's order wins.
			const settled = await Promise.allSettled(
				formats.map(({writer, state}) => writer.finalise?.({...settings, stats}, state)),
			);
			const written: WrittenFiles = {files: []};
			for (const outcome of settled) {
				if (outcome.status === 'rejected') throw outcome.reason;
				if (!outcome.value) continue;
				const {files, features} = outcome.value;
				written.files.push(...files);
				if (features !== undefined) written.features = features;
			}
			return written;
		},
	};
}

/**
 * What the formats write, as a prompt or a summary lists it: "12 mask tiles, masks.vrt, masks.geojson
 * (40 polygons), training data and stats.json". `step` keeps only the formats that have that step.
 */
export function describeOutputs(
	formats: readonly OutputFormat[],
	counts?: OutputCounts,
	step?: 'perTile' | 'finalise',
): string {
	const labels = formats
		.filter((format) => !step || outputWriters[format][step])
		.map((format) => outputWriters[format].label(counts));
	if (labels.length <= 1) return labels[0] ?? 'nothing';
	return `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}
