import {thresholdText} from '../engine/classes/threshold.js';
import type {RunStats} from '../engine/masks/stats-types.js';

const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(1)}%`);
const iou = (value: number | null) => (value === null ? '–' : value.toFixed(3));

/** The statistics as a short plain-text table, for the end of a headless run; areas in `areaUnit` (m², ft², ...). */
export function formatStatsSummary(stats: RunStats, areaUnit: string): string {
	const rows: Array<[string, string]> = [
		['tiles', String(stats.tiles)],
		['threshold', thresholdText(stats.threshold)],
		[
			'foreground',
			`${percent(stats.foregroundFraction)} of valid pixels, ${stats.foregroundArea.toFixed(0)} ${areaUnit}`,
		],
		['components', `${stats.components.count} (mean ${stats.components.meanArea.toFixed(1)} ${areaUnit})`],
		...(stats.classes ?? []).map((info): [string, string] => [
			`class ${info.id} ${info.name}`,
			`${percent(info.fraction)} of valid pixels, ${info.area.toFixed(0)} ${areaUnit}, ${info.components} components` +
				(info.members.length > 0
					? `, member IoU ${info.members.map((member) => iou(member.vsEnsemble.iou)).join(' ')}`
					: ''),
		]),
		['uncertain', `${percent(stats.uncertainFraction)} of pixels within ±${stats.uncertainMargin} of the threshold`],
		['nodata', percent(stats.nodataFraction)],
		['seams', `${percent(stats.seams.disagreement)} of border pixels disagree across ${stats.seams.pairs} tile seams`],
		...stats.members.map((member): [string, string] => [
			`model ${member.model}`,
			`foreground ${percent(member.foregroundFraction)}, IoU with ensemble ${iou(member.vsEnsemble.iou)}`,
		]),
		...stats.pairs.map((pair): [string, string] => [`IoU ${pair.a} ~ ${pair.b}`, iou(pair.iou)]),
	];
	const width = Math.max(...rows.map(([label]) => label.length));
	return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
