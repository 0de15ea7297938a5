import {availableParallelism} from 'node:os';
import {abortError, RunError, UserError} from '../../errors.js';
import {classConfigOf, type ClassConfig} from '../classes/class-config.js';
import {checkSameClasses, checkSessionIo} from './io-check.js';
import {resolveModelPaths} from './discover.js';
import {loadModelSpec} from './metadata.js';
import {ModelWorker} from './model-worker.js';
import {providerAttempts, providerFailure} from './providers.js';
import {clearSharedPlanes, rgbPlaneSlots} from './shared-planes.js';
import {shareTile, TileBuffers} from './shared-tile.js';
import type {Ensemble, EnsembleOptions, InferEvent, ModelInfo, PredictInput, Prediction, WindowCount} from './types.js';
import {windowGrid, windowsWithoutContext, type WindowGrid} from './windows.js';

type Member = {info: ModelInfo; worker: ModelWorker};

/** What an aborted tile rejects with: the abort's reason when it is an error (a failure elsewhere stays that failure). */
function abortReason(signal: AbortSignal): Error {
	return signal.reason instanceof Error ? signal.reason : abortError('The run was interrupted');
}

/** Load every model into its own worker and return the ensemble that runs them all on each tile. */
export async function openEnsemble(options: EnsembleOptions): Promise<Ensemble> {
	const {signal, onEvent} = options;
	const provider = options.provider ?? 'auto';
	const mode = options.mode ?? 'resize';
	const {batchSize} = options;
	if (options.overlap !== undefined && !(options.overlap >= 0 && options.overlap < 100))
		throw new UserError(`overlap ${options.overlap}% is out of range: use 0 to 99.`);
	const paths = await resolveModelPaths(options.models);
	const specs = await Promise.all(paths.map((file) => loadModelSpec(file)));
	checkSameClasses(specs);
	// Members may colour the classes or not; the first that does colours the run.
	const classes = classConfigOf(specs[0].classNames, specs.find((spec) => spec.classColors)?.classColors);
	const threads = options.threadsPerModel ?? Math.max(1, Math.floor(availableParallelism() / specs.length));
	signal?.throwIfAborted();

	// WebGPU sessions in two threads crash the process when they are created or run at the same time
	// (onnxruntime-node 1.30 on an H200): the members take turns on it.
	const turn = provider === 'webgpu' ? new SharedArrayBuffer(4) : undefined;
	const started = await Promise.allSettled(
		specs.map((spec) =>
			ModelWorker.start(spec.name, {
				modelPath: spec.path,
				providers: providerAttempts(provider),
				turn,
				intraOpThreads: threads,
				batchSize,
				output: spec.output,
				planes: classes.planes,
				input: {bands: spec.bands, mean: spec.mean, std: spec.std, dsm: spec.dsm},
			}),
		),
	);
	const workers = started.flatMap((result) =>
		result.status === 'fulfilled' && result.value.worker ? [result.value.worker] : [],
	);
	const members: Member[] = [];
	try {
		for (const [index, result] of started.entries()) {
			const spec = specs[index];
			if (result.status === 'rejected') throw result.reason;
			if (!result.value.worker) throw providerFailure(spec.path, provider, result.value.failed.failures);
			const {worker, ready} = result.value;
			const io = checkSessionIo(spec, ready.inputs, ready.outputs);
			const cudaFailure = ready.failures.find((failure) => failure.provider === 'cuda');
			const info: ModelInfo = {
				name: spec.name,
				path: spec.path,
				provider: ready.provider,
				providerReason: cudaFailure
					? `CUDA did not load (${cudaFailure.message}); run \`deepmask doctor\` for the fix`
					: provider === 'cpu'
						? 'CPU requested'
						: undefined,
				bands: spec.bands,
				tileSize: io.tileSize,
				tilesOverlap: spec.tilesOverlap,
				resolutionCm: spec.resolutionCm,
				classNames: spec.classNames,
				threshold: spec.threshold,
				needsDsm: spec.bands.includes('DSM'),
				output: spec.output,
			};
			members.push({info, worker});
		}
		signal?.throwIfAborted();
	} catch (error) {
		await Promise.all(workers.map((worker) => worker.abort(new RunError('model loading failed'))));
		throw error;
	}
	for (const {info} of members)
		onEvent?.({type: 'model-ready', model: info.name, provider: info.provider, reason: info.providerReason});
	const rgbSlots =
		mode === 'resize'
			? rgbPlaneSlots(specs.map((spec, index) => ({input: spec, size: members[index].info.tileSize})))
			: {offsets: [], bytes: 0};
	return new RunningEnsemble(members, classes, mode, options.overlap, signal, onEvent, rgbSlots);
}

class RunningEnsemble implements Ensemble {
	readonly models: ModelInfo[];
	readonly needsDsm: boolean;
	readonly threshold: number;
	readonly grids: WindowGrid[];
	private closed = false;
	private readonly onAbort: () => void;
	private readonly tileBuffers = new TileBuffers(4);
	private readonly planeBuffers = new TileBuffers(4);
	/** The members' planes for a tile whose caller keeps none (see predict). */
	private readonly memberBuffers: TileBuffers;

	constructor(
		private readonly members: Member[],
		readonly classes: ClassConfig,
		private readonly mode: 'resize' | 'sliding',
		private readonly overlap: number | undefined,
		private readonly signal: AbortSignal | undefined,
		private readonly onEvent: ((event: InferEvent) => void) | undefined,
		/** Resize mode: each member's slot in a tile's shared RGB planes (see shared-planes.ts). */
		private readonly rgbSlots: ReturnType<typeof rgbPlaneSlots>,
	) {
		this.memberBuffers = new TileBuffers(4 * members.length);
		this.models = members.map((member) => member.info);
		this.needsDsm = this.models.some((model) => model.needsDsm);
		this.threshold = this.models.reduce((sum, model) => sum + model.threshold, 0) / this.models.length;
		this.grids =
			mode === 'sliding' ? this.models.map((model) => windowGrid(model.tileSize, this.overlapOf(model)!)) : [];
		this.onAbort = () => void this.abort(abortReason(signal!));
		signal?.addEventListener('abort', this.onAbort, {once: true});
	}

	async predict(input: PredictInput): Promise<Prediction> {
		if (this.signal?.aborted) throw abortReason(this.signal);
		if (this.closed) throw new RunError('the ensemble is closed');
		const started = performance.now();
		const {planes} = this.classes;
		checkInput(input, this.needsDsm, this.mode, planes);
		const windows: WindowCount = {inferred: 0, withoutContext: 0};
		// Each member's worker makes its inputs from the tile, runs them and returns its class planes at the output size.
		const {tile, layout} = shareTile(input, this.tileBuffers);
		const rgbPlanes = this.sharedRgbPlanes();
		// Members the caller does not keep write their planes into buffers used again for later tiles (a new buffer per
		// member and tile was most of the main thread's garbage, and V8 counts such buffers against its heap: they set
		// off a full collection about every tile), the first member into the caller's buffer for the mean when that is
		// shared memory: the mean then takes its place.
		const keep = input.keepMembers ?? true;
		const bytes = planes * input.outWidth * input.outHeight * Float32Array.BYTES_PER_ELEMENT;
		const callers =
			input.into?.buffer instanceof SharedArrayBuffer && input.into.byteOffset === 0 ? input.into.buffer : undefined;
		const lent = keep ? [] : this.members.map((_, index) => (index === 0 && callers) || this.memberBuffers.take(bytes));
		const members = await Promise.all(
			this.members.map(async ({info, worker}, index) => {
				const overlap = this.overlapOf(info);
				if (overlap !== undefined) windows.withoutContext += windowsAlone(input, windowGrid(info.tileSize, overlap));
				const {
					probability,
					ms,
					batch,
					windows: inferred,
				} = await worker.predict({
					tile,
					...layout,
					outWidth: input.outWidth,
					outHeight: input.outHeight,
					size: info.tileSize,
					overlap,
					...(input.context && {context: {tile: input.context.tile, origin: input.context.origin}}),
					...(rgbPlanes &&
						this.rgbSlots.offsets[index] !== undefined && {
							rgbPlanes: {buffer: rgbPlanes, offset: this.rgbSlots.offsets[index]},
						}),
					...(lent[index] && {into: lent[index]}),
				});
				// The windows the worker inferred for this tile: those of the area's grid no tile before it reached.
				windows.inferred += inferred;
				this.onEvent?.({type: 'model-tile', model: info.name, tileId: input.id, ms, batch});
				return probability;
			}),
		);
		this.tileBuffers.give(tile);
		if (rgbPlanes) this.planeBuffers.give(rgbPlanes);
		const probability = meanOf(members, input.into ?? new Float32Array(members[0].length));
		for (const buffer of lent) if (buffer !== callers) this.memberBuffers.give(buffer);
		this.onEvent?.({type: 'ensemble-tile', tileId: input.id, ms: performance.now() - started});
		return {planes, probability, members: keep ? members : [], windows};
	}

	/** A buffer for the tile's shared RGB planes, every slot free; undefined when no members share them. */
	private sharedRgbPlanes(): SharedArrayBuffer | undefined {
		const {offsets, bytes} = this.rgbSlots;
		if (bytes === 0) return undefined;
		const buffer = this.planeBuffers.take(bytes);
		for (const offset of new Set(offsets)) if (offset !== undefined) clearSharedPlanes(buffer, offset);
		return buffer;
	}

	/** The member's sliding-window overlap in percent; undefined in resize mode. */
	private overlapOf(info: ModelInfo): number | undefined {
		return this.mode === 'sliding' ? (this.overlap ?? info.tilesOverlap) : undefined;
	}

	/** Waits for queued work, releases the sessions and ends the workers (also after an abort). */
	async close(): Promise<void> {
		this.closed = true;
		this.signal?.removeEventListener('abort', this.onAbort);
		await Promise.all(this.members.map((member) => member.worker.close()));
	}

	private async abort(reason: Error): Promise<void> {
		this.closed = true;
		await Promise.all(this.members.map((member) => member.worker.abort(reason)));
	}
}

/**
 * The members' mean into `mean` (which may be the first member), summed in float32 in member order, then divided:
 * the last member's sum and the division in one pass, so two members take one pass over the planes.
 */
function meanOf(members: Float32Array[], mean: Float32Array): Float32Array {
	const count = members.length;
	const {length} = mean;
	let sum = members[0];
	if (count === 1) {
		if (mean !== sum) mean.set(sum);
		return mean;
	}
	for (let m = 1; m < count - 1; m++) {
		const member = members[m];
		for (let i = 0; i < length; i++) mean[i] = sum[i] + member[i];
		sum = mean;
	}
	const last = members[count - 1];
	for (let i = 0; i < length; i++) mean[i] = Math.fround(sum[i] + last[i]) / count;
	return mean;
}

/** The windows a member would take for the tile inferred alone (no context). */
function windowsAlone(input: PredictInput, grid: WindowGrid): number {
	const tile = input.context?.tile ?? {x: 0, y: 0, width: input.rgb.width, height: input.rgb.height};
	return windowsWithoutContext(tile.width, tile.height, grid);
}

function checkInput(input: PredictInput, needsDsm: boolean, mode: 'resize' | 'sliding', planes: number): void {
	const {rgb, dsm, context, into} = input;
	if (into && into.length !== planes * input.outWidth * input.outHeight)
		throw new Error(
			`tile ${input.id}: the buffer for the mean holds ${into.length} values, not ${planes}×${input.outWidth}×${input.outHeight}`,
		);
	if (context && mode !== 'sliding') throw new Error(`tile ${input.id}: a tile's context is for sliding mode only`);
	if (
		context &&
		!(
			context.tile.x >= 0 &&
			context.tile.y >= 0 &&
			context.tile.x + context.tile.width <= rgb.width &&
			context.tile.y + context.tile.height <= rgb.height
		)
	)
		throw new Error(`tile ${input.id}: the tile lies outside its context image`);
	if (rgb.data.length !== rgb.width * rgb.height * 3)
		throw new UserError(
			`tile ${input.id}: the RGB data holds ${rgb.data.length} bytes, not ${rgb.width}×${rgb.height}×3.`,
		);
	if (!(input.outWidth > 0 && input.outHeight > 0))
		throw new UserError(`tile ${input.id}: output size ${input.outWidth}×${input.outHeight} is empty.`);
	if (needsDsm && !dsm)
		throw new UserError(
			`tile ${input.id}: the ensemble has models that take a DSM band, but no DSM was given. Give a DSM or leave those models out.`,
		);
	if (dsm && (dsm.width !== rgb.width || dsm.height !== rgb.height)) {
		throw new UserError(
			`tile ${input.id}: the DSM is ${dsm.width}×${dsm.height} but the RGB image is ${rgb.width}×${rgb.height}; they must cover the same pixels.`,
		);
	}
	if (input.missing && input.missing.length !== rgb.width * rgb.height)
		throw new Error(
			`tile ${input.id}: its missing pixels' mask holds ${input.missing.length} values, not ${rgb.width}×${rgb.height}`,
		);
	if (dsm && dsm.data.length !== dsm.width * dsm.height)
		throw new UserError(
			`tile ${input.id}: the DSM data holds ${dsm.data.length} values, not ${dsm.width}×${dsm.height}.`,
		);
}
