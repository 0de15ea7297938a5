import {UserError} from '../errors.js';
import {renderScene} from '../demo/scene.js';
import {schemeOf} from '../engine/classes/registry.js';
import {probabilityBytes} from '../engine/classes/threshold-byte.js';
import {decisionRule} from '../engine/classes/threshold.js';
import type {Bbox} from '../engine/geo/georaster.js';
import {openEnsemble} from '../engine/infer/ensemble.js';
import {ClassConfusion, scoresOf, type Scores} from './class-confusion.js';
import {companion, listImages, readDsm, readImage, readLabel} from './input-images.js';
import type {Ensemble, EnsembleOptions, ModelInfo, Prediction} from '../engine/infer/types.js';

/** Pixel counts of one predictor against the truth. */
export class Confusion {
	truePositive = 0;
	falsePositive = 0;
	falseNegative = 0;
	pixels = 0;

	add(probability: Float32Array, truth: Uint8Array, threshold: number): void {
		for (let i = 0; i < truth.length; i++) {
			const predicted = probability[i] >= threshold;
			if (predicted && truth[i]) this.truePositive++;
			else if (predicted) this.falsePositive++;
			else if (truth[i]) this.falseNegative++;
		}
		this.pixels += truth.length;
	}

	scores(): Scores {
		const {truePositive: tp, falsePositive: fp, falseNegative: fn} = this;
		return scoresOf(tp, tp + fp, tp + fn, this.pixels);
	}
}

export type {Scores} from './class-confusion.js';
export type NamedScores = {name: string; threshold: number} & Scores;
export type EvaluationReport = {
	models: ModelInfo[];
	/**
	 * Per model, each at its own seg_thresh, then the ensemble (name "ensemble") at `threshold`; for multi-class
	 * models, of any class against the background.
	 */
	scores: NamedScores[];
	/** Multi-class models only: every class, with the scores of each model and the ensemble on it. */
	classes?: Array<{id: number; name: string; scores: NamedScores[]}>;
	threshold: number;
	tiles: number;
	/** The area evaluated (demo mode): the extent grown to whole tiles. */
	extent?: Bbox;
};

type Sample = {
	id: string;
	rgb: {data: Uint8Array; width: number; height: number};
	dsm?: {data: Float32Array; width: number; height: number; nodata?: number};
	truth: Uint8Array;
	outWidth: number;
	outHeight: number;
};

export type EvaluateOptions = Omit<EnsembleOptions, 'models'> & {
	models: string[];
	threshold?: number;
	onTile?: (done: number, total: number) => void;
} & ({demoExtent: Bbox; cell?: number; tilePixels?: number} | {input: string; labels: string; dsm?: string});

/**
 * IoU, precision and recall of each model and of the ensemble against the demo scene's buildings (its land cover
 * for multi-class models) or a folder of labels (class ids for multi-class models).
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluationReport> {
	const samples =
		'demoExtent' in options
			? demoSamples(options.demoExtent, options.cell ?? 0.5, options.tilePixels ?? 512)
			: await folderSamples(options.input, options.labels, options.dsm);
	const ensemble = await openEnsemble(options);
	try {
		if (ensemble.needsDsm && !('demoExtent' in options) && !options.dsm)
			throw new UserError('some models take a DSM band: pass --dsm DIR as well.');
		const threshold = options.threshold ?? ensemble.threshold;
		if (ensemble.classes.classes.length > 2) {
			return await evaluateClasses(ensemble, samples, threshold, options);
		}
		const perModel = ensemble.models.map(() => new Confusion());
		const combined = new Confusion();
		let done = 0;
		const tally = (sample: Sample, prediction: Prediction) => {
			prediction.members.forEach((member, index) =>
				perModel[index].add(member, sample.truth, ensemble.models[index].threshold),
			);
			combined.add(prediction.probability, sample.truth, threshold);
			options.onTile?.(++done, samples.total);
		};
		await runAll(ensemble, samples.items(false), tally, options.signal);
		return {
			models: ensemble.models,
			scores: [
				...ensemble.models.map((model, index) => ({
					name: model.name,
					threshold: model.threshold,
					...perModel[index].scores(),
				})),
				{name: 'ensemble', threshold, ...combined.scores()},
			],
			threshold,
			tiles: samples.total,
			extent: samples.extent,
		};
	} finally {
		await ensemble.close();
	}
}

/** The multi-class evaluation: confusion matrices of class ids (argmax at the threshold, as masks are made). */
async function evaluateClasses(
	ensemble: Ensemble,
	samples: Samples,
	threshold: number,
	options: EvaluateOptions,
): Promise<EvaluationReport> {
	const {classes} = ensemble;
	const scheme = schemeOf(classes);
	const count = classes.classes.length;
	const perModel = ensemble.models.map(() => new ClassConfusion(count));
	const combined = new ClassConfusion(count);
	let done = 0;
	const tally = (sample: Sample, prediction: Prediction) => {
		const pixels = sample.outWidth * sample.outHeight;
		const decide = (probability: Float32Array, cut: number) =>
			scheme.decide(probabilityBytes(probability), pixels, decisionRule(classes, cut));
		prediction.members.forEach((member, index) =>
			perModel[index].add(decide(member, ensemble.models[index].threshold), sample.truth, sample.id),
		);
		combined.add(decide(prediction.probability, threshold), sample.truth, sample.id);
		options.onTile?.(++done, samples.total);
	};
	await runAll(ensemble, samples.items(true), tally, options.signal);
	const named = (score: (confusion: ClassConfusion) => Scores): NamedScores[] => [
		...ensemble.models.map((model, index) => ({
			name: model.name,
			threshold: model.threshold,
			...score(perModel[index]),
		})),
		{name: 'ensemble', threshold, ...score(combined)},
	];
	return {
		models: ensemble.models,
		scores: named((confusion) => confusion.foregroundScores(classes.background)),
		classes: classes.classes.map(({id, name}) => ({id, name, scores: named((confusion) => confusion.classScores(id))})),
		threshold,
		tiles: samples.total,
		extent: samples.extent,
	};
}

/** The evaluation's images with their truth: 0/1 for a binary model, class ids when `classIds`. */
type Samples = {
	items: (classIds: boolean) => AsyncIterable<Sample> | Iterable<Sample>;
	total: number;
	extent?: Bbox;
};

/** Two tiles in flight at a time: enough for the workers to batch, little memory. */
async function runAll(
	ensemble: Ensemble,
	items: AsyncIterable<Sample> | Iterable<Sample>,
	tally: (sample: Sample, prediction: Prediction) => void,
	signal?: AbortSignal,
) {
	const inFlight = new Set<Promise<void>>();
	for await (const sample of items) {
		signal?.throwIfAborted();
		const task = ensemble.predict(sample).then((prediction) => tally(sample, prediction));
		const tracked = task.finally(() => inFlight.delete(tracked));
		inFlight.add(tracked);
		if (inFlight.size >= 2) await Promise.race(inFlight);
	}
	await Promise.all(inFlight);
}

function demoSamples(extent: Bbox, cell: number, tile: number): Samples & {extent: Bbox} {
	if (!(extent.xmax > extent.xmin && extent.ymax > extent.ymin))
		throw new UserError(
			`the demo extent ${JSON.stringify(extent)} is empty: give xmin,ymin,xmax,ymax with xmin < xmax and ymin < ymax.`,
		);
	if (!(cell > 0)) throw new UserError(`cell size ${cell} must be positive.`);
	const span = tile * cell;
	const columns = Math.ceil((extent.xmax - extent.xmin) / span - 1e-9);
	const rows = Math.ceil((extent.ymax - extent.ymin) / span - 1e-9);
	const grown = {
		xmin: extent.xmin,
		ymax: extent.ymax,
		xmax: extent.xmin + columns * span,
		ymin: extent.ymax - rows * span,
	};
	function* items(classIds: boolean): Iterable<Sample> {
		const layers = new Set(['rgb', 'dsm', classIds ? 'landcover' : 'buildings'] as const);
		for (let row = 0; row < rows; row++) {
			for (let column = 0; column < columns; column++) {
				const bbox = {
					xmin: grown.xmin + column * span,
					xmax: grown.xmin + (column + 1) * span,
					ymax: grown.ymax - row * span,
					ymin: grown.ymax - (row + 1) * span,
				};
				const scene = renderScene({bbox, width: tile, height: tile}, layers);
				yield {
					id: `r${row}_c${column}`,
					rgb: {data: scene.rgb!, width: tile, height: tile},
					dsm: {data: scene.dsm!, width: tile, height: tile},
					truth: classIds ? scene.landcover! : scene.buildings!,
					outWidth: tile,
					outHeight: tile,
				};
			}
		}
	}
	return {items, total: rows * columns, extent: grown};
}

async function folderSamples(input: string, labels: string, dsmDir?: string): Promise<Samples> {
	const files = await listImages(input);
	async function* items(classIds: boolean): AsyncIterable<Sample> {
		for (const file of files) {
			const image = await readImage(file);
			const label = await readLabel(await companion(labels, file, 'label raster'), {classIds});
			const dsm = dsmDir ? await readDsm(await companion(dsmDir, file, 'DSM')) : undefined;
			if (dsm && (dsm.width !== image.width || dsm.height !== image.height)) {
				throw new UserError(
					`${file}: the image is ${image.width}×${image.height} but its DSM is ${dsm.width}×${dsm.height}. Give a DSM of the same size.`,
				);
			}
			yield {
				id: image.stem,
				rgb: {data: image.rgb, width: image.width, height: image.height},
				dsm,
				truth: label.data,
				outWidth: label.width,
				outHeight: label.height,
			};
		}
	}
	return {items, total: files.length};
}
