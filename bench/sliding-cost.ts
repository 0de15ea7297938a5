import type {RunSnapshot} from '../source/engine/pipeline/snapshot.js';

export type SlidingCostFigure = {
	windows: number;
	/** Windows the context across tiles adds, against each tile inferred alone. */
	extraWindows: number;
	/** extraWindows over the windows of the tiles alone: the extra compute of seamless sliding mode. */
	extraWindowRatio: number;
	/** Context pixels beside the tiles' own, over the tiles' own: what the context stage assembles. */
	marginPixelRatio: number;
	/** A shard: layer pixels (RGB and DSM apart) of other shards' tiles fetched (not read from tiles/) for its context, over its own tiles' pixels. */
	shardFetchRatio?: number;
};

/**
 * The cost of sliding mode's context from a finished sliding run's snapshot (pipelineFigures' run in sliding
 * mode: `slidingCost(run.snapshot())`); undefined for a resize run or one whose tiles were all kept.
 */
export function slidingCost(snapshot: Pick<RunSnapshot, 'sliding' | 'shardContext'>): SlidingCostFigure | undefined {
	const {sliding, shardContext} = snapshot;
	if (!sliding) return undefined;
	const alone = sliding.windows - sliding.extraWindows;
	return {
		windows: sliding.windows,
		extraWindows: sliding.extraWindows,
		extraWindowRatio: alone > 0 ? sliding.extraWindows / alone : 0,
		marginPixelRatio: sliding.tilePixels > 0 ? sliding.marginPixels / sliding.tilePixels : 0,
		...(shardContext && {shardFetchRatio: shardContext.fetchedPixels / sliding.tilePixels}),
	};
}
