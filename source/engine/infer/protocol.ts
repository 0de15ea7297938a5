import type {ValueInfo} from './io-check.js';
import type {ModelSpec} from './metadata.js';
import type {SessionProvider} from './types.js';
import type {Rect, Window} from './windows.js';

/** How a model's input planes are built from a tile (see preprocess.ts). */
export type InputSpec = Pick<ModelSpec, 'bands' | 'mean' | 'std' | 'dsm'>;

/** Messages between the ensemble (main thread) and a model's session worker. */
export type WorkerInit = {
	modelPath: string;
	/** Execution providers to try in order, each alone; the first that creates a session wins. */
	providers: SessionProvider[];
	intraOpThreads: number;
	/** A lock (one int32) the ensemble's workers take around creating and running their sessions, when set. */
	turn?: SharedArrayBuffer;
	/** Most inputs one session.run() takes; undefined: 1 on the CPU (batching costs CPU there), 4 on a GPU. */
	batchSize?: number;
	output: 'probabilities' | 'logits';
	/** Class probability planes to make of the model's output channels (see class-planes.ts). */
	planes: number;
	input: InputSpec;
};

/**
 * Where a tile's rasters lie in the buffer it is shared in: the DSM's float32 samples first (when there is one),
 * then the RGB bytes, then the RGB's nodata mask (when it has one), then the mask of pixels outside the area (when
 * some are), then the mask of pixels where the RGB or the DSM has no data (when some have none).
 */
export type TileLayout = {
	width: number;
	height: number;
	hasDsm: boolean;
	nodata?: number;
	hasRgbNodata?: boolean;
	hasOutside?: boolean;
	hasMissing?: boolean;
};

/** One tile for one model: cut or resize it to the model's size, run it, and return its class planes at outWidth × outHeight. */
export type TileRequest = TileLayout & {
	type: 'predict';
	id: number;
	/** Written once by the main thread and only read by the workers of the ensemble. */
	tile: SharedArrayBuffer;
	outWidth: number;
	outHeight: number;
	/** The model's input size. */
	size: number;
	/** Sliding windows with this overlap in percent; the whole tile resized to `size` when undefined. */
	overlap?: number;
	/** Sliding mode: the part of the image to predict and where the image's origin lies on the area's window grid. */
	context?: {tile: Rect; origin: Window};
	/**
	 * Resize mode: where the tile's R, G and B planes at `size` are shared by the members that make them alike (see
	 * shared-planes.ts), when more than one does.
	 */
	rgbPlanes?: {buffer: SharedArrayBuffer; offset: number};
	/**
	 * Where to write the class planes (planes × outHeight × outWidth float32), lent by the ensemble for this tile; the
	 * result then carries no data. Without it they come back as a new buffer, transferred.
	 */
	into?: SharedArrayBuffer;
};

export type ToWorker =
	| TileRequest
	/** Release the session and exit after the queued requests, or at once after the running batch when discard is set. */
	| {type: 'close'; discard: boolean};

export type FromWorker =
	| {
			type: 'ready';
			provider: SessionProvider;
			failures: Array<{provider: string; message: string}>;
			inputs: ValueInfo[];
			outputs: ValueInfo[];
	  }
	| {type: 'init-error'; failures: Array<{provider: string; message: string}>}
	/**
	 * One tile's class probabilities (planes × outHeight × outWidth float32, plane-major, 0 where the RGB or the DSM has no data); ms is
	 * its share of the run time of the batches its inputs ran in, batch the largest of those batches; windows the sliding
	 * windows it inferred itself (a window of the area's grid is inferred for the first tile that reaches it only).
	 * No data when they were written into the request's `into`.
	 */
	| {type: 'result'; id: number; data?: ArrayBuffer; ms: number; batch: number; windows: number}
	| {type: 'run-error'; ids: number[]; message: string}
	| {type: 'closed'};
