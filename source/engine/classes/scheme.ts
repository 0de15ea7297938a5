import type {DecisionRule} from './threshold.js';

/** How masks are decided from probability planes for one kind of class set (one folder under engine/classes/ each). */
export type ClassScheme = {
	/** Whether the scheme decides the masks of models with this many classes; the registry's first taker does. */
	takes(classCount: number): boolean;
	/** Probability planes per pixel that the outputs of models with this many classes become. */
	planes(classCount: number): number;
	/**
	 * Class id per pixel (0 the background) from probability bytes (p × 255), `planes` planes of `pixels`
	 * each, plane-major, by the rule's thresholds; pixels flagged in `nodata` are background.
	 */
	decide(probability: Uint8Array, pixels: number, rule: DecisionRule, nodata?: Uint8Array): Uint8Array;
	/** Per pixel, the probability byte the threshold was applied to: the histogram and the uncertain pixels count it. */
	confidence(probability: Uint8Array, pixels: number): Uint8Array;
	/**
	 * A scheme of one plane that decides a class where the probability byte reaches a cut and the background
	 * below it, and whose confidence is that byte: the cut (256 where no byte reaches it). Decisions at any
	 * threshold can then be counted from histograms of the bytes.
	 */
	foregroundCut?(rule: DecisionRule): number;
};
