import type {ClassConfig} from '../classes/class-config.js';
import type {Band} from './metadata.js';
import type {Rect, Window, WindowGrid} from './windows.js';

/** `auto` tries CUDA, then the CPU; WebGPU only when asked for (see providers.ts). */
export const providerChoices = ['auto', 'cpu', 'cuda', 'webgpu'] as const;
export type Provider = (typeof providerChoices)[number];
/** An execution provider a session really runs on. */
export type SessionProvider = Exclude<Provider, 'auto'>;
export type InferMode = 'resize' | 'sliding';

export type ModelInfo = {
	name: string;
	path: string;
	/** The execution provider the session really got. */
	provider: SessionProvider;
	/** Why it is not the first choice (e.g. why CUDA did not load under `auto`). */
	providerReason?: string;
	bands: Band[];
	tileSize: number;
	tilesOverlap: number;
	resolutionCm?: number;
	classNames: Record<string, string>;
	/** The model's seg_thresh. */
	threshold: number;
	needsDsm: boolean;
	output: 'probabilities' | 'logits';
};

export type InferEvent =
	| {type: 'model-ready'; model: string; provider: string; reason?: string}
	/** One model finished one tile; ms is its inference time for the tile (its share of the batches it ran in). */
	| {type: 'model-tile'; model: string; tileId: string; ms: number; batch: number}
	| {type: 'ensemble-tile'; tileId: string; ms: number};

export type EnsembleOptions = {
	/** .onnx files or folders of them. */
	models: string[];
	provider?: Provider;
	mode?: InferMode;
	/** Sliding-window overlap in percent; default each model's tiles_overlap. */
	overlap?: number;
	/** Most tiles (or windows) one session.run() takes at once. Default: 1 on the CPU, 4 on CUDA. */
	batchSize?: number;
	/** onnxruntime intra-op threads per model. Default: the cores shared out among the models. */
	threadsPerModel?: number;
	signal?: AbortSignal;
	onEvent?: (event: InferEvent) => void;
};

export type PredictInput = {
	id: string;
	rgb: {data: Uint8Array; width: number; height: number};
	dsm?: {data: Float32Array; width: number; height: number; nodata?: number};
	/** 1 where the RGB has no data (transparent, the service's noDataValue), at the RGB's size; the DSM's own nodata comes with it. */
	rgbNodata?: Uint8Array;
	/** The output size of the predicted part: the whole image, or the context's tile. */
	outWidth: number;
	outHeight: number;
	/** Sliding mode: the image is a tile with its context; without it the image is a whole area of its own. */
	context?: TileContext;
	/**
	 * 1 where the RGB or the DSM has no data, null where neither lacks any, when the caller found it already (as the
	 * ensemble would, at the image's size); found by the ensemble when left out.
	 */
	missing?: Uint8Array | null;
	/** Whether the prediction holds each member's probabilities (default true); without them `members` is empty. */
	keepMembers?: boolean;
	/**
	 * Where to write the mean (planes × outHeight × outWidth): a buffer the caller uses again; a new one when left out.
	 * Over a SharedArrayBuffer of its own, without members kept, the first member writes its planes there too.
	 */
	into?: Float32Array;
};

/** A tile within an image of the tile and its neighbours' pixels, for sliding windows on the area's grid. */
export type TileContext = {
	/** The tile's pixels in the image. */
	tile: Rect;
	/** Where the image's top-left pixel lies in the area (global pixels, the area's origin at 0, 0). */
	origin: Window;
	/** 1 where the image lies outside the area (beyond its extent, or in a tile the plan skips): padding for the windows. */
	outside?: Uint8Array;
};

/** The sliding windows one tile took, over all members; resize mode takes none. */
export type WindowCount = {
	/**
	 * Inferred for this tile: the windows of the area's grid reaching into it that no earlier tile inferred (a window
	 * shared by tiles is inferred once, for the first), so a tile's count depends on the order the tiles come in;
	 * the run's sum is exact.
	 */
	inferred: number;
	/** What the same tile inferred alone would have taken (windows flush with its edges, no context). */
	withoutContext: number;
};

export type Prediction = {
	/** Class probability planes per pixel (the ensemble's `classes.planes`: 1 for a binary model, the foreground's). */
	planes: number;
	/** Mean of the members' probabilities: planes × outHeight × outWidth, plane-major, each plane row-major (in `into`). */
	probability: Float32Array;
	/** Each model's probabilities at the output size, laid out the same, in the order of `models` (see keepMembers). */
	members: Float32Array[];
	windows: WindowCount;
};

export interface Ensemble {
	models: ModelInfo[];
	/** The classes the members share, from their class_names. */
	classes: ClassConfig;
	needsDsm: boolean;
	/** The members' mean seg_thresh: the default threshold for masks. */
	threshold: number;
	/** Sliding mode: each member's window grid (a tile's context is what their windows reach); resize mode: none. */
	grids: WindowGrid[];
	predict(input: PredictInput): Promise<Prediction>;
	close(): Promise<void>;
}
