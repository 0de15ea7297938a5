/**
 * Multi-class evaluation: a confusion matrix of predicted class ids against label class ids, and from it
 * each class's IoU, precision and recall. Label pixels of `ignoredLabel` (no data, outside an area) are left out.
 */
import {UserError} from '../errors.js';
import {outsideAreaValue} from '../engine/geo/area-clip.js';

/** A label value that is no class: the run folder's nodata outside an area, and what readClassLabel makes of nodata. */
export const ignoredLabel = outsideAreaValue;

export type Scores = {iou: number; precision: number; recall: number; pixels: number};

export class ClassConfusion {
	/** counts[truth × classCount + predicted] */
	private readonly counts: Float64Array;
	pixels = 0;

	constructor(readonly classCount: number) {
		this.counts = new Float64Array(classCount * classCount);
	}

	add(predicted: Uint8Array, truth: Uint8Array, where: string): void {
		const {classCount, counts} = this;
		for (let i = 0; i < truth.length; i++) {
			const label = truth[i];
			if (label === ignoredLabel) continue;
			if (label >= classCount) {
				throw new UserError(
					`${where}: the label holds class id ${label}, but the models have ${classCount} classes (0–${classCount - 1}; ${ignoredLabel} is no data).`,
				);
			}
			counts[label * classCount + predicted[i]]++;
			this.pixels++;
		}
	}

	/** Class `id` against the rest. */
	classScores(id: number): Scores {
		const {classCount, counts} = this;
		let inTruth = 0;
		let inPrediction = 0;
		for (let other = 0; other < classCount; other++) {
			inTruth += counts[id * classCount + other];
			inPrediction += counts[other * classCount + id];
		}
		return scoresOf(counts[id * classCount + id], inPrediction, inTruth, this.pixels);
	}

	/** Any class but `background` against the background. */
	foregroundScores(background: number): Scores {
		const {classCount, counts} = this;
		let both = 0;
		let inTruth = 0;
		let inPrediction = 0;
		for (let truth = 0; truth < classCount; truth++) {
			for (let predicted = 0; predicted < classCount; predicted++) {
				const count = counts[truth * classCount + predicted];
				if (truth !== background) inTruth += count;
				if (predicted !== background) inPrediction += count;
				if (truth !== background && predicted !== background) both += count;
			}
		}
		return scoresOf(both, inPrediction, inTruth, this.pixels);
	}
}

/** A class absent from both truth and prediction scores 1: nothing was to be found and nothing was. */
export function scoresOf(truePositive: number, predicted: number, actual: number, pixels: number): Scores {
	const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
	return {
		iou: ratio(truePositive, predicted + actual - truePositive),
		precision: ratio(truePositive, predicted),
		recall: ratio(truePositive, actual),
		pixels,
	};
}
