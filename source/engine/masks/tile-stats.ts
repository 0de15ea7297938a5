import {defaultClasses, foregroundClasses, type ClassConfig} from '../classes/class-config.js';
import {outsideAreaValue} from '../geo/area-clip.js';
import {eitherNodata} from '../infer/preprocess.js';
import {schemeOf} from '../classes/registry.js';
import {decisionRule, type DecisionRule, type Threshold} from '../classes/threshold.js';
import type {ClassScheme} from '../classes/scheme.js';
import type {Tile} from '../geo/plan.js';
import {borderStrips} from './borders.js';
import {tileClassStats} from './class-stats.js';
import {foregroundConnectivity, labelComponents, type Components} from './components.js';
import {postprocessMask, type PostprocessSettings, type TilePostprocess} from './postprocess.js';
import {
	fraction,
	histogramBins,
	overlap,
	uncertainMargin,
	type ComponentStats,
	type PairStats,
	type TileStats,
} from './stats-types.js';

export type TileSummaryInput = {
	tile: Tile;
	/** Ensemble class probabilities × 255: `classes.planes` planes of `width × height`, plane-major, each row-major. */
	probability: Uint8Array;
	/** Each member's probabilities × 255, laid out the same, in the order of `models`. */
	members: Uint8Array[];
	models: string[];
	/** 1 where the source imagery had no data. */
	nodata?: Uint8Array;
	/** 1 outside the plan's area (a clipped run): left out of the statistics as nodata, `outsideAreaValue` in the mask. */
	outside?: Uint8Array;
	width: number;
	height: number;
	threshold: Threshold;
	postprocess: PostprocessSettings;
	/** Post-processing of the whole mosaic (mosaic-components.ts), in place of `postprocess` on this tile alone. */
	postprocessTile?: TilePostprocess;
	/** The run's classes; a binary model's when not given. */
	classes?: ClassConfig;
	/** `counts` of an earlier summary of the same probabilities, members, nodata and area: not counted again. */
	counts?: TileCounts;
};

export type TileSummary = {
	/** Final mask of class ids after threshold, post-processing and nodata (background where there is no data, outsideAreaValue outside the area). */
	mask: Uint8Array;
	stats: TileStats;
	/** The final mask's foreground components (8-connected), for the mosaic's components. */
	components: Components;
	/** A multi-class run's components of each class id in the final mask (8-connected). */
	classComponents?: Components[];
	/** What the statistics counted that holds at any threshold (a one-plane scheme's), for the next summary. */
	counts?: TileCounts;
};

/**
 * A one-plane scheme's counts for any threshold (ClassScheme.foregroundCut): over the pixels with data, for each
 * two planes j ≤ l (0 the ensemble, k + 1 member k) the pixels by the smaller of their two bytes, at
 * `(j × planes + l) × 256 + byte`. Planes j and l both decide foreground where that byte reaches the cut; j = l
 * counts plane j's own bytes.
 */
export type TileCounts = {planes: number; byMinimum: Int32Array; nodataPixels: number};

export type TileDecisionInput = Pick<TileSummaryInput, 'probability' | 'width' | 'height' | 'threshold' | 'classes'> & {
	/** 1 for pixels without a decision (no source data, outside the area). */
	nodata?: Uint8Array;
};

/** Class ids at the threshold before post-processing; background where `nodata`. */
export function decideTile(input: TileDecisionInput): Uint8Array {
	const {probability, width, height, threshold, classes = defaultClasses, nodata} = input;
	const pixels = width * height;
	const mask = schemeOf(classes).decide(probability, pixels, decisionRule(classes, threshold));
	if (nodata) for (let i = 0; i < pixels; i++) if (nodata[i]) mask[i] = classes.background;
	return mask;
}

/** 1 where `decideTile` decides a class other than the background: what post-processing of the mosaic learns. */
export function tileForeground(input: TileDecisionInput): Uint8Array {
	const classes = input.classes ?? defaultClasses;
	return foregroundOf(decideTile(input), classes);
}

/** The final mask without post-processing: `decideTile`, and outsideAreaValue outside the area. */
export function tileMask(input: TileDecisionInput & {outside?: Uint8Array}): Uint8Array {
	const mask = decideTile({...input, nodata: eitherNodata(input.nodata, input.outside)});
	if (input.outside) for (let i = 0; i < mask.length; i++) if (input.outside[i]) mask[i] = outsideAreaValue;
	return mask;
}

// Member agreement is counted per pixel as a bit pattern, a bit per member and the ensemble's.
const maxMembers = 16;

export function summariseTile(input: TileSummaryInput): TileSummary {
	const {tile, probability, members, models, outside, width, height, threshold, classes = defaultClasses} = input;
	const nodata = eitherNodata(input.nodata, outside);
	const scheme = schemeOf(classes);
	const pixels = width * height;
	checkSizes(input, pixels, classes.planes);
	const cellArea = ((tile.bbox.xmax - tile.bbox.xmin) / width) * ((tile.bbox.ymax - tile.bbox.ymin) / height);
	const rule = decisionRule(classes, threshold);
	// With a threshold per class, whether a pixel is uncertain depends on its winning class: bytes are counted
	// per winner (slot = winner × 256 + byte), else all in one group. A one-plane scheme's plane is its one
	// class's probability, so that class's threshold is the group's.
	const groups = typeof threshold === 'number' ? 1 : classes.planes;
	const onePlaneClass = classes.planes === 1 ? foregroundClasses(classes)[0].id : undefined;
	const binOf = new Uint8Array(256);
	const uncertain = new Uint8Array(256 * groups);
	for (let b = 0; b < 256; b++) {
		binOf[b] = Math.min(histogramBins - 1, Math.floor((b / 255) * histogramBins));
		for (let group = 0; group < groups; group++) {
			const cut = typeof threshold === 'number' ? threshold : rule.thresholds[onePlaneClass ?? group];
			uncertain[group * 256 + b] = Math.abs(b / 255 - cut) < uncertainMargin ? 1 : 0;
		}
	}

	const {background} = classes;
	const multiclass = classes.classes.length > 2;
	const mask = decideTile({probability, width, height, threshold, classes, nodata});
	// Multi-class statistics compare the decisions class by class; post-processing changes the mask below.
	const decisions = multiclass ? {ensemble: mask.slice(), members: [] as Uint8Array[]} : undefined;
	const cut = multiclass ? undefined : scheme.foregroundCut?.(rule);
	let counts: TileCounts | undefined;
	let agreement: Agreement;
	if (cut === undefined) {
		agreement = countDecisions({
			probability,
			ensemble: mask,
			members,
			nodata,
			scheme,
			rule,
			groups,
			background,
			decisions,
		});
	} else {
		counts = input.counts ?? countOnePlane(probability, members, nodata, pixels);
		agreement = agreementAt(counts, cut);
	}
	const {byteCounts, nodataPixels, both} = agreement;
	const histogram = new Array<number>(histogramBins).fill(0);
	let uncertainPixels = 0;
	for (let slot = 0; slot < byteCounts.length; slot++) {
		histogram[binOf[slot & 255]] += byteCounts[slot];
		if (uncertain[slot]) uncertainPixels += byteCounts[slot];
	}
	const validPixels = pixels - nodataPixels;

	const foreground = foregroundOf(mask, classes);
	const postprocess = input.postprocessTile
		? input.postprocessTile(foreground, width, height, nodata)
		: postprocessMask(foreground, width, height, input.postprocess, cellArea);
	if (nodata) for (let i = 0; i < pixels; i++) if (nodata[i]) foreground[i] = 0;
	if (foreground !== mask) applyForeground(mask, foreground, width, classes);
	const components = labelComponents(foreground, width, height, {value: 1, connectivity: foregroundConnectivity});
	const {count, sizes} = components;
	let foregroundPixels = 0;
	for (let label = 1; label <= count; label++) foregroundPixels += sizes[label];

	const memberStats = members.map((_, k) => {
		const foreground = both(k + 1, k + 1);
		const withEnsemble = both(0, k + 1);
		return {
			model: models[k],
			foregroundPixels: foreground,
			foregroundFraction: fraction(foreground, validPixels),
			vsEnsemble: overlap(withEnsemble, foreground + both(0, 0) - withEnsemble),
		};
	});
	const pairs: PairStats[] = [];
	for (let a = 1; a <= members.length; a++) {
		for (let b = a + 1; b <= members.length; b++) {
			const agreeing = both(a, b);
			pairs.push({
				a: models[a - 1],
				b: models[b - 1],
				...overlap(agreeing, both(a, a) + both(b, b) - agreeing),
			});
		}
	}

	const stats: TileStats = {
		id: tile.id,
		row: tile.row,
		col: tile.col,
		width,
		height,
		cellArea,
		pixels,
		nodataPixels,
		nodataFraction: fraction(nodataPixels, pixels),
		validPixels,
		foregroundPixels,
		foregroundFraction: fraction(foregroundPixels, validPixels),
		foregroundArea: foregroundPixels * cellArea,
		components: componentStats(sizes, count),
		histogram,
		uncertainPixels,
		uncertainFraction: fraction(uncertainPixels, validPixels),
		members: memberStats,
		pairs,
		postprocess,
		borders: borderStrips(foreground, width, height),
	};
	if (nodata && nodataPixels > 0) stats.nodataBorders = borderStrips(nodata, width, height);
	let classComponents: Components[] | undefined;
	if (decisions) {
		classComponents = classes.classes.map(({id}) =>
			labelComponents(mask, width, height, {value: id, connectivity: foregroundConnectivity}),
		);
		stats.classPixels = classPixels(mask, classes, nodata);
		const {ensemble, members: memberDecisions} = decisions;
		Object.assign(
			stats,
			tileClassStats({
				mask,
				ensemble,
				members: memberDecisions,
				models,
				classes,
				cellArea,
				validPixels,
				nodata,
				componentCounts: classComponents.map((labelled) => labelled.count),
			}),
		);
	}
	if (outside) for (let i = 0; i < pixels; i++) if (outside[i]) mask[i] = outsideAreaValue;
	return {mask, stats, components, ...(classComponents && {classComponents}), ...(counts && {counts})};
}

/** Pixels with data by byte (the confidence's, per group), those without, and where two planes agree on foreground. */
type Agreement = {
	byteCounts: Int32Array;
	nodataPixels: number;
	/** Pixels with data where planes j and l (0 the ensemble, k + 1 member k) both decide foreground; j = l: where j does. */
	both: (j: number, l: number) => number;
};

/** TileCounts of the ensemble and its members: a pass over the pixels per two planes, for any threshold. */
function countOnePlane(
	probability: Uint8Array,
	members: Uint8Array[],
	nodata: Uint8Array | undefined,
	pixels: number,
): TileCounts {
	const planes = [probability, ...members];
	const count = planes.length;
	const byMinimum = new Int32Array(count * count * 256);
	const offset = (j: number, l: number) => (j * count + l) << 8;
	for (let j = 0; j < count; j++) {
		for (let l = j; l < count; l++)
			countMinima(planes[j], planes[l], pixels, byMinimum.subarray(offset(j, l), offset(j, l) + 256));
	}
	// Counted over every pixel (loops without a branch): the pixels without data are taken out again.
	let nodataPixels = 0;
	for (let i = 0; nodata && i < pixels; i++) {
		if (!nodata[i]) continue;
		nodataPixels++;
		for (let j = 0; j < count; j++)
			for (let l = j; l < count; l++) byMinimum[offset(j, l) + Math.min(planes[j][i], planes[l][i])]--;
	}
	return {planes: count, byMinimum, nodataPixels};
}

/**
 * Three more sets of 256 counts: pixels are counted in four interleaved lanes, so that the increments of a run of
 * equal bytes need not wait on each other. Zero between calls.
 */
const laneCounts = new Int32Array(3 * 256);

function countMinima(a: Uint8Array, b: Uint8Array, pixels: number, counts: Int32Array): void {
	const lanes = laneCounts;
	const whole = pixels & ~3;
	let i = 0;
	for (; i < whole; i += 4) {
		counts[Math.min(a[i], b[i])]++;
		lanes[Math.min(a[i + 1], b[i + 1])]++;
		lanes[256 + Math.min(a[i + 2], b[i + 2])]++;
		lanes[512 + Math.min(a[i + 3], b[i + 3])]++;
	}
	for (; i < pixels; i++) counts[Math.min(a[i], b[i])]++;
	addLanes(counts);
}

function addLanes(counts: Int32Array): void {
	for (let byte = 0; byte < 256; byte++)
		counts[byte] += laneCounts[byte] + laneCounts[256 + byte] + laneCounts[512 + byte];
	laneCounts.fill(0);
}

/** The agreement at a cut from TileCounts: the bytes from the cut on. */
function agreementAt(counts: TileCounts, cut: number): Agreement {
	const {planes, byMinimum, nodataPixels} = counts;
	return {
		byteCounts: byMinimum.subarray(0, 256),
		nodataPixels,
		both: (j, l) => {
			const offset = (Math.min(j, l) * planes + Math.max(j, l)) << 8;
			let total = 0;
			for (let byte = cut; byte < 256; byte++) total += byMinimum[offset + byte];
			return total;
		},
	};
}

/**
 * The agreement from each member's decisions (kept in `decisions` for a multi-class run's statistics), counted
 * per pixel as a bit pattern: bit 0 the ensemble's foreground, bit k + 1 member k's.
 */
function countDecisions(input: {
	probability: Uint8Array;
	/** The ensemble's decisions. */
	ensemble: Uint8Array;
	members: Uint8Array[];
	nodata: Uint8Array | undefined;
	scheme: ClassScheme;
	rule: DecisionRule;
	groups: number;
	background: number;
	decisions: {ensemble: Uint8Array; members: Uint8Array[]} | undefined;
}): Agreement {
	const {probability, ensemble, members, nodata, scheme, rule, groups, background, decisions} = input;
	const pixels = ensemble.length;
	const pattern = members.length < 7 ? new Uint8Array(pixels) : new Uint32Array(pixels);
	for (let i = 0; i < pixels; i++) pattern[i] = ensemble[i] !== background ? 1 : 0;
	for (let k = 0; k < members.length; k++) {
		const bit = 2 << k;
		const member = scheme.decide(members[k], pixels, rule);
		decisions?.members.push(member);
		for (let i = 0; i < pixels; i++) if (member[i] !== background) pattern[i] |= bit;
	}
	const confidence = slotsOf(scheme.confidence(probability, pixels), groups, () =>
		scheme.decide(probability, pixels, {thresholds: rule.thresholds.map(() => 0), below: background}),
	);
	const byteCounts = new Int32Array(256 * groups);
	const patterns = new Int32Array(1 << (members.length + 1));
	let nodataPixels = 0;
	for (let i = 0; i < pixels; i++) {
		if (nodata?.[i]) {
			nodataPixels++;
			continue;
		}
		byteCounts[confidence[i]]++;
		patterns[pattern[i]]++;
	}
	return {
		byteCounts,
		nodataPixels,
		both: (j, l) => {
			const bits = (1 << j) | (1 << l);
			let total = 0;
			for (let bitsSet = 0; bitsSet < patterns.length; bitsSet++)
				if ((bitsSet & bits) === bits) total += patterns[bitsSet];
			return total;
		},
	};
}

/** The confidence bytes, or with `groups` > 1 each pixel's winner (by `winners`) × 256 + its byte. */
function slotsOf(confidence: Uint8Array, groups: number, winners: () => Uint8Array): Uint8Array | Uint16Array {
	if (groups === 1) return confidence;
	const winner = winners();
	const slots = new Uint16Array(confidence.length);
	for (let i = 0; i < confidence.length; i++) slots[i] = winner[i] * 256 + confidence[i];
	return slots;
}

/** 1 where the mask holds a class other than the background: the mask itself when it already is 0/1. */
function foregroundOf(mask: Uint8Array, classes: ClassConfig): Uint8Array {
	if (classes.classes.length === 2 && classes.background === 0) return mask;
	const foreground = new Uint8Array(mask.length);
	for (let i = 0; i < mask.length; i++) foreground[i] = mask[i] === classes.background ? 0 : 1;
	return foreground;
}

/**
 * Carry post-processing back into a class mask: removed objects become background, and a filled hole takes
 * the class to its left, or on the tile's left edge the class above (a hole is 4-connected, so that pixel is
 * set already); a hole at the tile's top-left pixel (one cut by tile borders) takes the first foreground class.
 */
function applyForeground(mask: Uint8Array, foreground: Uint8Array, width: number, classes: ClassConfig): void {
	const {background} = classes;
	for (let i = 0; i < mask.length; i++) {
		if (!foreground[i]) mask[i] = background;
		else if (mask[i] === background) {
			if (i % width > 0) mask[i] = mask[i - 1];
			else mask[i] = i > 0 ? mask[i - width] : foregroundClasses(classes)[0].id;
		}
	}
}

/** Valid pixels per class id. */
function classPixels(mask: Uint8Array, classes: ClassConfig, nodata?: Uint8Array): number[] {
	const counts = new Array<number>(classes.classes.length).fill(0);
	for (let i = 0; i < mask.length; i++) if (!nodata?.[i]) counts[mask[i]]++;
	return counts;
}

/** Count and size bins of components; `sizes` indexed by label 1..count (index 0 unused). */
export function componentStats(sizes: ArrayLike<number>, count: number): ComponentStats {
	const log2Bins: number[] = [];
	let minPixels = 0;
	let maxPixels = 0;
	for (let label = 1; label <= count; label++) {
		const size = sizes[label];
		const bin = 31 - Math.clz32(size);
		while (log2Bins.length <= bin) log2Bins.push(0);
		log2Bins[bin]++;
		minPixels = label === 1 ? size : Math.min(minPixels, size);
		maxPixels = Math.max(maxPixels, size);
	}
	return {count, minPixels, maxPixels, log2Bins};
}

function checkSizes(input: TileSummaryInput, pixels: number, planes: number): void {
	const {probability, members, models, nodata, outside} = input;
	const values = planes * pixels;
	const expected = `${planes > 1 ? `${planes}×` : ''}${input.width}×${input.height}`;
	if (probability.length !== values)
		throw new Error(`tile ${input.tile.id}: probability has ${probability.length} values, expected ${expected}`);
	if (members.length !== models.length)
		throw new Error(`tile ${input.tile.id}: ${members.length} member probabilities for ${models.length} models`);
	if (members.length > maxMembers)
		throw new Error(`at most ${maxMembers} ensemble members are supported, got ${members.length}`);
	for (const [k, member] of members.entries()) {
		if (member.length !== values)
			throw new Error(`tile ${input.tile.id}: member ${models[k]} has ${member.length} values, expected ${expected}`);
	}
	if (nodata && nodata.length !== pixels)
		throw new Error(`tile ${input.tile.id}: nodata mask has ${nodata.length} pixels, expected ${pixels}`);
	if (outside && outside.length !== pixels)
		throw new Error(`tile ${input.tile.id}: area mask has ${outside.length} pixels, expected ${pixels}`);
}
