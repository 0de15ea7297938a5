import type {SlidingCost} from '../engine/pipeline/events.js';

/**
 * What sliding mode's context cost, for the end of a headless run: the windows inferred and how many of them
 * the context added over inferring each tile alone, and the context's pixels beside the tiles' own.
 */
export function formatSlidingCost(cost: SlidingCost): string {
	const share = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(0)}%` : '–');
	const {tilePixels} = cost;
	return [
		`windows   ${cost.windows} inferred, ${cost.extraWindows} of them for the context across tiles (+${share(cost.extraWindows, cost.windows - cost.extraWindows)} over each tile alone)`,
		`context   ${cost.marginPixels.toLocaleString('en')} pixels beside the tiles' own ${tilePixels.toLocaleString('en')} (${share(cost.marginPixels, tilePixels)})`,
	].join('\n');
}
