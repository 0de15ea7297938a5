/**
 * The contract of an output format (DESIGN §2): something written for every finished tile, something
 * written once all tiles are done, or both. registry.ts maps each name of output.formats to its writer.
 */
import type {OutputFormat} from '../../config/preset-schema.js';
import type {ClassConfig} from '../classes/class-config.js';
import type {GeoRaster} from '../geo/georaster.js';
import type {Plan, Tile} from '../geo/plan.js';
import type {Size} from '../geo/resize-nearest.js';
import type {StatsDocument} from '../masks/stats-types.js';

export type {OutputFormat} from '../../config/preset-schema.js';

/** What every writer of one run knows. */
export type OutputRun = {
	runDir: string;
	plan: Plan;
	classes: ClassConfig;
	/** Written rasters (masks, training chips) have this size, nearest neighbour; default the tile's size. */
	maskSize?: Size;
	/** GeoJSON simplification tolerance in mask pixels (default 1). */
	tolerance?: number;
	/**
	 * Every tile of the plan is written once, as it is inferred, and this run writes its own run-wide files after
	 * them (not a shard): a format may do its run-wide work as the tiles come.
	 */
	asYouGo?: boolean;
};

/** One finished tile. */
export type TileOutput = {
	tile: Tile;
	/** Class ids at the analysis size `size`. */
	mask: Uint8Array;
	size: Size;
	/** The RGB tile; given when a writer of the run `usesRgb`. */
	rgb?: GeoRaster;
};

/** The run once every tile is done, with the statistics of all its tiles. */
export type FinishedRun = OutputRun & {stats: StatsDocument};

export type WrittenFiles = {files: string[]; features?: number};

/** Counts that summaries name what was written with. */
export type OutputCounts = {tiles?: number; features?: number};

/**
 * A format. `State` is what one run of it carries from the tiles to the run-wide files (e.g. the
 * training chips' summaries): `start` makes a fresh one per run, the other steps get it back.
 */
export type OutputWriter<State = undefined> = {
	/** How prompts and summaries name what it writes, with the counts once written: "12 mask tiles", "masks.geojson (40 polygons)". */
	label(counts?: OutputCounts): string;
	/** Its per-tile step needs the RGB tile (read from the run folder only then). */
	usesRgb?: boolean;
	start?(run: OutputRun): State;
	/** Writes the tile's files; returns their paths. */
	perTile?(tile: TileOutput, run: OutputRun, state: State): Promise<string[]>;
	/** Sees each tile once every format wrote its files, for run-wide work done as the tiles come; writes nothing. */
	tileWritten?(tile: TileOutput, run: OutputRun, state: State): void;
	/** Writes the run-wide files (a sharded run leaves this to its merge, with a fresh state). */
	finalise?(run: FinishedRun, state: State): Promise<WrittenFiles>;
};

export type OutputWriters = {[Format in OutputFormat]: OutputWriter<unknown>};
