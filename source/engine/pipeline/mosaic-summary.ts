/**
 * The final masks and statistics of a run's tiles as one mosaic: post-processing sees whole components
 * across tiles (its passes go over every tile before the first final mask, masks/mosaic-components.ts),
 * and the statistics count the mosaic's components. Tiles are summarised one at a time in plan order, so
 * memory holds one tile and the components' labels.
 */
import {foregroundClasses, type ClassConfig} from '../classes/class-config.js';
import type {Plan, Tile} from '../geo/plan.js';
import {foregroundConnectivity} from '../masks/components.js';
import {MosaicLabels, MosaicPostprocess, type MosaicLayout} from '../masks/mosaic-components.js';
import type {PostprocessSettings, TilePostprocess} from '../masks/postprocess.js';
import type {MosaicStats} from '../masks/run-stats.js';
import type {TileStats} from '../masks/stats-types.js';
import {componentStats, type TileSummary} from '../masks/tile-stats.js';

export type MosaicSummaryInput = {
	plan: Pick<Plan, 'rows' | 'cols'>;
	/** The run's tiles in plan order; the others count as outside the mosaic. */
	tiles: Tile[];
	postprocess: PostprocessSettings;
	classes: ClassConfig;
	/** The tile's mask and statistics, post-processed by `postprocessTile` when given (else not at all). */
	summarise(tile: Tile, postprocessTile: TilePostprocess | undefined): Promise<TileSummary>;
	/** The tile's foreground before post-processing and its unknown pixels (no data, outside the area), for post-processing's passes. */
	foreground(tile: Tile): Promise<TileForeground>;
	/** Takes each final summary, in plan order (e.g. writes the mask). */
	each?(tile: Tile, summary: TileSummary): Promise<void>;
	signal?: AbortSignal;
};

export type TileForeground = {foreground: Uint8Array; width: number; height: number; unknown?: Uint8Array};

/**
 * Every tile's statistics and the mosaic's; `postprocessTile` post-processes a tile again as in its final mask
 * (e.g. for a preview), undefined without post-processing.
 */
export async function summariseMosaic(input: MosaicSummaryInput): Promise<{
	tiles: TileStats[];
	mosaic: MosaicStats;
	postprocessTile: (tile: Tile) => TilePostprocess | undefined;
}> {
	const {plan, tiles, summarise, foreground, signal} = input;
	const present = new Set(tiles.map((tile) => tile.row * plan.cols + tile.col));
	const layout: MosaicLayout = {
		rows: plan.rows,
		cols: plan.cols,
		has: (row, col) => present.has(row * plan.cols + col),
	};
	const cellArea = tiles.length === 0 ? 0 : cellAreaOf(tiles[0]);
	const postprocess = new MosaicPostprocess(layout, input.postprocess, cellArea);
	for (const pass of postprocess.passes) {
		for (const tile of tiles) {
			signal?.throwIfAborted();
			const learnt = await foreground(tile);
			postprocess.learn(pass, tile, learnt.foreground, learnt.width, learnt.height, learnt.unknown);
		}
	}

	const postprocessTile = (tile: Tile): TilePostprocess | undefined =>
		postprocess.passes.length > 0
			? (foreground, width, height) => postprocess.apply(tile, foreground, width, height)
			: undefined;
	const components = new MosaicLabels(layout, 1, foregroundConnectivity);
	// A multi-class run also counts each class's components on its own.
	const perClass =
		input.classes.classes.length > 2
			? foregroundClasses(input.classes).map(({id}) => ({
					id,
					labels: new MosaicLabels(layout, id, foregroundConnectivity),
				}))
			: [];
	const stats: TileStats[] = [];
	for (const tile of tiles) {
		signal?.throwIfAborted();
		const summary = await summarise(tile, postprocessTile(tile));
		const {width, height} = summary.stats;
		components.addLabelled(tile, summary.components, width, height);
		for (const {id, labels} of perClass) labels.addLabelled(tile, summary.classComponents![id], width, height);
		stats.push(summary.stats);
		await input.each?.(tile, summary);
	}
	const sizes = components.sizes();
	const mosaic: MosaicStats = {
		components: componentStats([0, ...sizes], sizes.length),
		postprocessed: postprocess.report(),
	};
	if (perClass.length > 0) {
		mosaic.classComponents = input.classes.classes.map(() => 0);
		for (const {id, labels} of perClass) mosaic.classComponents[id] = labels.sizes().length;
	}
	return {tiles: stats, mosaic, postprocessTile};
}

function cellAreaOf(tile: Tile): number {
	return ((tile.bbox.xmax - tile.bbox.xmin) / tile.width) * ((tile.bbox.ymax - tile.bbox.ymin) / tile.height);
}
