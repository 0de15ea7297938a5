import type {Threshold} from '../classes/threshold.js';
import type {BorderStrips} from './borders.js';
import type {PostprocessReport, PostprocessSettings} from './postprocess.js';

/** Bins of the probability histogram, equal widths over 0..1 (the last bin includes 1). */
export const histogramBins = 20;
/** A valid pixel is uncertain when |probability − threshold| < uncertainMargin: its class would flip if the threshold moved that far. */
export const uncertainMargin = 0.2;

/** Intersection and union, in pixels, of two masks over the tile's valid pixels. */
export type Overlap = {intersection: number; union: number; iou: number | null};

export type ComponentStats = {
	/**
	 * Foreground components (8-connected, any class but the background) of the final mask: in a tile's
	 * statistics the pieces inside the tile (one cut by a tile edge counts in each tile), overall the whole
	 * mosaic's components (one cut by tile edges counts once).
	 */
	count: number;
	minPixels: number;
	maxPixels: number;
	/** Components by size: entry k counts those of 2^k to 2^(k+1) − 1 pixels (trailing empty bins left out). */
	log2Bins: number[];
};

export type MemberStats = {
	model: string;
	/** Valid pixels the member's own probabilities make foreground at the threshold. */
	foregroundPixels: number;
	foregroundFraction: number;
	/** Against the ensemble's thresholded probability before post-processing. */
	vsEnsemble: Overlap;
};

export type PairStats = Overlap & {a: string; b: string};

/** One class of a multi-class run. */
export type ClassStats = {
	id: number;
	name: string;
	/** Valid pixels of the class in the final mask, after post-processing. */
	pixels: number;
	fraction: number;
	area: number;
	/** Components (8-connected) of the class in the final mask: a tile's pieces, overall the whole mosaic's. */
	components: number;
	/** Each member's decision (argmax at the threshold) against the ensemble's on this class, before post-processing. */
	members: Array<{model: string; pixels: number; vsEnsemble: Overlap}>;
	/** Every pair of members on this class. */
	pairs: PairStats[];
};

/** A member's confusion with the ensemble: counts[r][c] valid pixels the member says are class r and the ensemble class c. */
export type MemberConfusion = {model: string; counts: number[][]};

/** Two members' confusion: counts[r][c] valid pixels member a says are class r and member b class c (a before b). */
export type PairConfusion = {a: string; b: string; counts: number[][]};

export type TileStats = {
	id: string;
	row: number;
	col: number;
	width: number;
	height: number;
	/** Map units² per pixel. */
	cellArea: number;
	pixels: number;
	/** Pixels without source data (their mask is 0) or outside a clipping area; every fraction below is of the valid pixels. */
	nodataPixels: number;
	nodataFraction: number;
	validPixels: number;
	/** Of the final mask, after post-processing: pixels of any class but the background. */
	foregroundPixels: number;
	foregroundFraction: number;
	foregroundArea: number;
	components: ComponentStats;
	/** Ensemble probability of valid pixels, `histogramBins` bins. */
	histogram: number[];
	uncertainPixels: number;
	uncertainFraction: number;
	members: MemberStats[];
	/** Every pair of members (a before b in model order). */
	pairs: PairStats[];
	/** This tile's pixels removed and filled, and the whole components and holes they belong to (overall counts each once). */
	postprocess: PostprocessReport;
	borders: BorderStrips;
	/** The nodata mask along the edges, only for tiles with nodata pixels (the seam check skips those pixels). */
	nodataBorders?: BorderStrips;
	/** Valid pixels of the final mask per class id; only multi-class runs carry it (foregroundPixels says it for binary ones). */
	classPixels?: number[];
	/** Multi-class runs only: every class, by id. */
	classes?: ClassStats[];
	/** Multi-class runs only: each member against the ensemble. */
	confusion?: MemberConfusion[];
	/** Multi-class runs only: every pair of members against each other. */
	pairConfusion?: PairConfusion[];
};

export type SeamStats = {
	/** Neighbouring tile pairs compared. */
	pairs: number;
	/** Pixel pairs facing each other across a seam. */
	comparedPixels: number;
	disagreeingPixels: number;
	/** disagreeing / compared. */
	disagreement: number | null;
	/** disagreeing / pairs where at least one side is foreground: how often objects fail to continue across a seam. */
	foregroundDisagreement: number | null;
	/** The seams that disagree most (by foregroundDisagreement, then tile ids), at most 10. */
	worst: Array<{a: string; b: string; compared: number; disagreeing: number; foregroundDisagreement: number | null}>;
};

export type RunStats = {
	version: 1;
	/** One for every class, or per class name (multi-class runs given a threshold per class). */
	threshold: Threshold;
	uncertainMargin: number;
	postprocess: PostprocessSettings;
	connectivity: 8;
	models: string[];
	tiles: number;
	/** Map units² per pixel of the analysed tiles. */
	cellArea: number;
	pixels: number;
	nodataPixels: number;
	nodataFraction: number;
	validPixels: number;
	foregroundPixels: number;
	foregroundFraction: number;
	foregroundArea: number;
	components: ComponentStats & {
		minArea: number;
		maxArea: number;
		meanArea: number;
		/** log2Bins with their size range in map units²: [from, to). */
		bins: Array<{fromArea: number; toArea: number; count: number}>;
	};
	histogram: {bins: number; counts: number[]};
	uncertainPixels: number;
	uncertainFraction: number;
	members: MemberStats[];
	pairs: PairStats[];
	postprocessed: PostprocessReport;
	seams: SeamStats;
	/** The tiles' classPixels summed; multi-class runs only. */
	classPixels?: number[];
	/** The tiles' per-class statistics merged; multi-class runs only. */
	classes?: ClassStats[];
	confusion?: MemberConfusion[];
	pairConfusion?: PairConfusion[];
};

export type StatsDocument = {overall: RunStats; tiles: TileStats[]};

export function overlap(intersection: number, union: number): Overlap {
	return {intersection, union, iou: union === 0 ? null : intersection / union};
}

export function fraction(part: number, whole: number): number {
	return whole === 0 ? 0 : part / whole;
}
