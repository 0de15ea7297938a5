import type {SlidingCost} from '../engine/pipeline/events.js';
import type {RunSnapshot} from '../engine/pipeline/snapshot.js';

/**
 * What sliding mode's context cost, for the end of a headless run: the windows inferred and how many of them
 * the context added over inferring each tile alone, the context's pixels beside the tiles' own, and for a
 * shard the other shards' pixels it read or fetched for that context.
 */
export function formatSlidingCost(cost: SlidingCost, shardContext?: RunSnapshot['shardContext']): string {
	const share = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(0)}%` : '–');
	const count = (value: number) => value.toLocaleString('en');
	const extra = cost.extraWindows;
	const alone = cost.windows - extra;
	const lines = [
		extra >= 0
			? `windows   ${cost.windows} inferred, ${extra} of them for the context across tiles (+${share(extra, alone)} over each tile alone)`
			: `windows   ${cost.windows} inferred, ${-extra} fewer than each tile alone would take (−${share(-extra, alone)}: neighbouring tiles share windows)`,
		`context   ${count(cost.marginPixels)} pixels beside the tiles' own ${count(cost.tilePixels)} (${share(cost.marginPixels, cost.tilePixels)})`,
	];
	if (shardContext)
		lines.push(
			`          other shards' tiles for it: ${count(shardContext.readPixels)} layer pixels read from tiles/, ${count(shardContext.fetchedPixels)} fetched`,
		);
	return lines.join('\n');
}
