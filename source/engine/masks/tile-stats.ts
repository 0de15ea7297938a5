import {defaultClasses, foregroundClasses, type ClassConfig} from '../classes/class-config.js';
import {outsideAreaValue} from '../geo/area-clip.js';
import {eitherNodata} from '../infer/preprocess.js';
import {schemeOf} from '../classes/registry.js';
import {decisionRule, type Threshold} from '../classes/threshold.js';
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
};

export type TileSummary = {
	/** Final mask of class ids after threshold, post-processing and nodata (background where there is no data, outsideAreaValue outside the area). */
	mask: Uint8Array;
	stats: TileStats;
	/** The final mask's foreground components (8-connected), for the mosaic's components. */
	components: Components;
	/** A multi-class run's components of each class id in the final mask (8-connected). */
	classComponents?: Components[];
};

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

// Member agreement is counted per pixel as a bit pattern (bit 0 the ensemble, bit k + 1 member k).
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
	// per winner (slot = winner × 256 + byte), else all in one group.
	const groups = typeof threshold === 'number' ? 1 : classes.planes;
	const binOf = new Uint8Array(256);
	const uncertain = new Uint8Array(256 * groups);
	for (let b = 0; b < 256; b++) {
		binOf[b] = Math.min(histogramBins - 1, Math.floor((b / 255) * histogramBins));
		for (let group = 0; group < groups; group++) {
			const cut = typeof threshold === 'number' ? threshold : rule.thresholds[group];
			uncertain[group * 256 + b] = Math.abs(b / 255 - cut) < uncertainMargin ? 1 : 0;
		}
	}

	// Agreement on foreground (any class but the background) as bit patterns, one member at a time.
	const {background} = classes;
	const multiclass = classes.classes.length > 2;
	const mask = decideTile({probability, width, height, threshold, classes, nodata});
	// Multi-class statistics compare these decisions class by class; post-processing changes the mask below.
	const decisions = multiclass ? {ensemble: mask.slice(), members: [] as Uint8Array[]} : undefined;
	const pattern = members.length < 7 ? new Uint8Array(pixels) : new Uint32Array(pixels);
	for (let i = 0; i < pixels; i++) pattern[i] = mask[i] !== background ? 1 : 0;
	for (let k = 0; k < members.length; k++) {
		const bit = 2 << k;
		if (!decisions && scheme.markForeground) {
			scheme.markForeground(members[k], pixels, rule, background, bit, pattern);
			continue;
		}
		const member = scheme.decide(members[k], pixels, rule);
		decisions?.members.push(member);
		for (let i = 0; i < pixels; i++) if (member[i] !== background) pattern[i] |= bit;
	}
	const confidence = slotsOf(scheme.confidence(probability, pixels), groups, () =>
		scheme.decide(probability, pixels, {thresholds: rule.thresholds.map(() => 0), below: background}),
	);
	const byteCounts = new Float64Array(256 * groups);
	const patterns = new Float64Array(1 << (members.length + 1));
	let nodataPixels = 0;
	if (nodata) {
		for (let i = 0; i < pixels; i++) {
			if (nodata[i]) {
				nodataPixels++;
				continue;
			}
			byteCounts[confidence[i]]++;
			patterns[pattern[i]]++;
		}
	} else {
		for (let i = 0; i < pixels; i++) {
			byteCounts[confidence[i]]++;
			patterns[pattern[i]]++;
		}
	}
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

	const countWhere = (test: (pattern: number) => boolean) => {
		let total = 0;
		for (let pattern = 0; pattern < patterns.length; pattern++) if (test(pattern)) total += patterns[pattern];
		return total;
	};
	const memberStats = members.map((_, k) => {
		const bit = 2 << k;
		const foreground = countWhere((pattern) => (pattern & bit) !== 0);
		return {
			model: models[k],
			foregroundPixels: foreground,
			foregroundFraction: fraction(foreground, validPixels),
			vsEnsemble: overlap(
				countWhere((pattern) => (pattern & bit) !== 0 && (pattern & 1) !== 0),
				countWhere((pattern) => (pattern & (bit | 1)) !== 0),
			),
		};
	});
	const pairs: PairStats[] = [];
	for (let a = 0; a < members.length; a++) {
		for (let b = a + 1; b < members.length; b++) {
			const both = (2 << a) | (2 << b);
			pairs.push({
				a: models[a],
				b: models[b],
				...overlap(
					countWhere((pattern) => (pattern & both) === both),
					countWhere((pattern) => (pattern & both) !== 0),
				),
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
	return {mask, stats, components, ...(classComponents && {classComponents})};
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
