import path from 'node:path';
import {z} from 'zod';
import {UserError} from '../../errors.js';
import type {PaletteEntry} from '../geo/georaster.js';
import {readTextIfExists} from '../fs/read-optional.js';
import {NotOnnxError, readMetadataProps} from './onnx-proto.js';

export const BANDS = ['R', 'G', 'B', 'DSM'] as const;
export type Band = (typeof BANDS)[number];

/** How the DSM channel is normalised; see dsm.ts for the exact definition. */
export const DsmNormSchema = z.object({
	mode: z.enum(['ndsm', 'raw']),
	scale: z.number().positive().default(1),
	clip: z
		.tuple([z.number(), z.number()])
		.refine(([lo, hi]) => lo < hi, 'clip must be [low, high] with low < high')
		.optional(),
	/** For ndsm: the percentile of the tile's valid DSM values taken as the ground. */
	percentile: z.number().min(0).max(100).default(2),
});
export type DsmNorm = z.infer<typeof DsmNormSchema>;

const byte = z.number().int().min(0).max(255);
/** A class colour as "#rrggbb" or [r, g, b]. */
const ColorSchema = z.union([
	z
		.string()
		.regex(/^#[0-9a-f]{6}$/i, 'colours are "#rrggbb" or [r, g, b]')
		.transform((hex): PaletteEntry => [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)) as PaletteEntry),
	z.tuple([byte, byte, byte]),
]);

/** A model input of 8192² float pixels is already gigabytes per batch item; a larger tile_size is a typo. */
const maxTileSize = 8192;

/** The Deepness keys plus deepmask_* (DESIGN §3.3), after JSON-decoding each value. */
const MetadataSchema = z
	.object({
		model_type: z
			.string()
			.refine((value) => value.toLowerCase() === 'segmentor', 'only Segmentor models are supported')
			.optional(),
		class_names: z
			.record(z.string().regex(/^\d+$/, 'class ids must be integers'), z.string())
			.default({'0': 'background', '1': 'foreground'}),
		class_colors: z.record(z.string(), ColorSchema).optional(),
		tile_size: z.number().int().positive().max(maxTileSize, `at most ${maxTileSize} px`).optional(),
		tiles_overlap: z.number().min(0).max(90).default(25),
		resolution: z.number().positive().optional(),
		standardization_mean: z.array(z.number()).min(1).optional(),
		standardization_std: z.array(z.number().positive()).min(1).optional(),
		seg_thresh: z.number().min(0).max(1).default(0.5),
		deepmask_bands: z
			.array(z.enum(BANDS))
			.min(1)
			.refine((bands) => new Set(bands).size === bands.length, 'bands must not repeat')
			.default(['R', 'G', 'B']),
		deepmask_dsm: DsmNormSchema.optional(),
		deepmask_output: z.enum(['probabilities', 'logits']).default('probabilities'),
	})
	.loose();

/** Everything deepmask needs to know about one model, from its metadata and sidecar. */
export type ModelSpec = {
	name: string;
	path: string;
	classNames: Record<string, string>;
	/** Colours of some or all class ids, from class_colors; the others get the default palette's. */
	classColors?: Record<string, PaletteEntry>;
	/** Undefined when neither the metadata nor the sidecar says; then the session's static input shape must. */
	tileSize?: number;
	tilesOverlap: number;
	resolutionCm?: number;
	mean: number[];
	std: number[];
	threshold: number;
	bands: Band[];
	dsm?: DsmNorm;
	output: 'probabilities' | 'logits';
	/** Where each setting came from, for messages. */
	sidecar?: string;
};

/**
 * metadata_props values are strings, JSON-encoded by Deepness and by deepmask's recipe. Older exports
 * hold bare strings or Python literals ({0: 'background'}); accept those too.
 */
export function decodeValue(raw: unknown): unknown {
	if (typeof raw !== 'string') return raw;
	const text = raw.trim();
	for (const candidate of [text, pythonLiteralToJson(text)]) {
		try {
			return JSON.parse(candidate);
		} catch {
			// not JSON: try the next reading
		}
	}
	return raw;
}

function pythonLiteralToJson(text: string): string {
	return text
		.replaceAll("'", '"')
		.replace(/([{,]\s*)(-?\d+)(\s*:)/g, '$1"$2"$3')
		.replace(/\bTrue\b/g, 'true')
		.replace(/\bFalse\b/g, 'false')
		.replace(/\bNone\b/g, 'null');
}

/** The sidecar of `dir/name.onnx` is `dir/name.json`: the same keys, plain JSON values. */
export function sidecarPath(modelPath: string): string {
	return path.join(path.dirname(modelPath), `${path.basename(modelPath, path.extname(modelPath))}.json`);
}

async function readSidecar(file: string): Promise<Record<string, unknown> | undefined> {
	const text = await readTextIfExists(file);
	if (text === undefined) return undefined;
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		throw new UserError(
			`${file}: the model's sidecar is not valid JSON (${(error as Error).message}). Fix the JSON or remove the file.`,
		);
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new UserError(
			`${file}: the model's sidecar must be a JSON object of metadata keys, e.g. {"tile_size": 256}.`,
		);
	}
	return value as Record<string, unknown>;
}

/** Combine metadata_props and the sidecar (sidecar wins), validate, and return the model's spec. */
export function specFromMetadata(
	modelPath: string,
	props: Record<string, string>,
	sidecar?: Record<string, unknown>,
	sidecarFile?: string,
): ModelSpec {
	const merged: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(props)) merged[key] = decodeValue(value);
	for (const [key, value] of Object.entries(sidecar ?? {})) merged[key] = decodeValue(value);
	const where = sidecarFile ? `${modelPath} (with ${sidecarFile})` : modelPath;
	const parsed = MetadataSchema.safeParse(merged);
	if (!parsed.success) {
		const problems = parsed.error.issues
			.map((issue) => `${issue.path.join('.') || 'metadata'}: ${issue.message}`)
			.join('; ');
		throw new UserError(
			`${where}: bad model metadata (${problems}). Fix the metadata_props or put the corrected keys in ${sidecarPath(modelPath)}.`,
		);
	}
	const meta = parsed.data;
	const bands = meta.deepmask_bands;
	const ids = Object.keys(meta.class_names)
		.map(Number)
		.sort((a, b) => a - b);
	if (ids.some((id, index) => id !== index)) {
		throw new UserError(`${where}: class_names ids must be 0, 1, ... without gaps (got ${ids.join(', ')}).`);
	}
	if (ids.length < 2) {
		throw new UserError(
			`${where}: class_names has ${ids.length} class; a segmentation model needs the background and at least one class, ` +
				'e.g. {"0": "background", "1": "building"}.',
		);
	}
	const uncoloured = Object.keys(meta.class_colors ?? {}).filter((id) => !(id in meta.class_names));
	if (uncoloured.length > 0) {
		throw new UserError(
			`${where}: class_colors names ${uncoloured.join(', ')}, which class_names does not have (${ids.join(', ')}).`,
		);
	}
	if (bands.includes('DSM') && !meta.deepmask_dsm) {
		throw new UserError(
			`${where}: the model takes a DSM band but has no deepmask_dsm normalisation. ` +
				`Add e.g. "deepmask_dsm": {"mode": "ndsm", "scale": 0.1, "clip": [0, 30]} to ${sidecarPath(modelPath)}.`,
		);
	}
	const perBand = (values: number[] | undefined, fallback: number, key: string) => {
		if (!values) return bands.map(() => fallback);
		if (values.length === 1) return bands.map(() => values[0]);
		if (values.length !== bands.length) {
			throw new UserError(
				`${where}: ${key} has ${values.length} values for ${bands.length} bands (${bands.join(',')}). Give one value per band.`,
			);
		}
		return values;
	};
	return {
		name: path.basename(modelPath, path.extname(modelPath)),
		path: modelPath,
		classNames: meta.class_names,
		...(meta.class_colors && {classColors: meta.class_colors}),
		tileSize: meta.tile_size,
		tilesOverlap: meta.tiles_overlap,
		resolutionCm: meta.resolution,
		mean: perBand(meta.standardization_mean, 0, 'standardization_mean'),
		std: perBand(meta.standardization_std, 1, 'standardization_std'),
		threshold: meta.seg_thresh,
		bands,
		dsm: meta.deepmask_dsm,
		output: meta.deepmask_output,
		sidecar: sidecarFile,
	};
}

/** Read a model file's metadata and sidecar. A file that is not ONNX gets a UserError naming it. */
export async function loadModelSpec(modelPath: string): Promise<ModelSpec> {
	let props: Record<string, string>;
	try {
		props = await readMetadataProps(modelPath);
	} catch (error) {
		if (error instanceof NotOnnxError) {
			throw new UserError(
				`${modelPath}: not an ONNX model (${error.message}). Pass .onnx files exported with torch.onnx.export (see models/README.md).`,
			);
		}
		throw new UserError(`${modelPath}: cannot read the model (${(error as Error).message}).`);
	}
	const file = sidecarPath(modelPath);
	const sidecar = await readSidecar(file);
	return specFromMetadata(modelPath, props, sidecar, sidecar ? file : undefined);
}
