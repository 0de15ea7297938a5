/**
 * result.json as read back: the fields merge relies on, with sane values. Tile ids must be the grid's
 * (they name files), counts whole and within the tile, fractions within 0..1, times not in the future.
 * Fields merge only passes through (histograms, borders) are kept as they are.
 */
import {z} from 'zod';
import {outputFormatNames} from '../../config/preset-schema.js';
import {firstIssue, tileIdPattern} from '../geo/plan-schema.js';
import type {ShardResult} from './result.js';

const whole = z.number().int().nonnegative();
const fraction = z.number().min(0).max(1);
const byte = z.number().int().min(0).max(255);
const bbox = z.object({xmin: z.number(), ymin: z.number(), xmax: z.number(), ymax: z.number()});
/** Clocks of cluster nodes disagree a little; an hour ahead is not a clock, it is a forged or damaged file. */
const clockSkewMs = 3_600_000;

const tileStats = z
	.looseObject({
		id: z.string().regex(tileIdPattern, 'a tile id is r<row>_c<col>'),
		row: whole,
		col: whole,
		width: whole.positive(),
		height: whole.positive(),
		cellArea: z.number().positive(),
		pixels: whole,
		nodataPixels: whole,
		nodataFraction: fraction,
		validPixels: whole,
		foregroundPixels: whole,
		foregroundFraction: fraction,
		foregroundArea: z.number().nonnegative(),
		uncertainPixels: whole,
		uncertainFraction: fraction,
		members: z.array(z.looseObject({model: z.string()})),
		pairs: z.array(z.looseObject({a: z.string(), b: z.string()})),
	})
	.refine((tile) => tile.pixels === tile.width * tile.height, 'pixels is not width × height')
	.refine(
		(tile) => tile.validPixels + tile.nodataPixels === tile.pixels && tile.foregroundPixels <= tile.validPixels,
		'the pixel counts do not add up',
	);

const resultSchema = z.looseObject({
	version: z.literal(1),
	shard: z.object({index: whole.positive(), count: whole.positive()}),
	plan: z.object({
		crs: z.string(),
		epsg: whole,
		cellSize: z.number().positive(),
		tileSize: whole.positive(),
		adjusted: bbox,
		rows: whole.positive(),
		cols: whole.positive(),
		area: z.object({clip: z.boolean(), covered: whole, skipped: whole}).optional(),
	}),
	settings: z.looseObject({
		threshold: z.union([fraction, z.record(z.string(), fraction)]),
		models: z.array(z.string()).min(1),
		postprocess: z.object({minArea: z.number().nonnegative(), fillHoles: z.number().nonnegative()}),
		classNames: z.record(z.string(), z.string()),
		classColors: z.record(z.string(), z.tuple([byte, byte, byte])).optional(),
		belowThreshold: z.literal('uncertain').optional(),
		maskSize: z.object({width: whole.positive(), height: whole.positive()}).optional(),
		formats: z.array(z.enum(outputFormatNames)).optional(),
		tolerance: z.number().nonnegative().optional(),
	}),
	tiles: z.array(tileStats),
	writtenAt: z.iso
		.datetime()
		.refine((time) => Date.parse(time) <= Date.now() + clockSkewMs, 'writtenAt is in the future'),
	host: z.string(),
	pid: whole.positive(),
});

/** The result, or an Error naming the first field that is wrong. (formats may still be missing: earlier versions.) */
export function parseShardResult(value: unknown): ShardResult {
	const parsed = resultSchema.safeParse(value);
	if (!parsed.success) throw new Error(firstIssue(parsed.error));
	// The file's own value, not zod's copy: its key order is what the run-wide stats.json repeats byte for byte.
	return value as ShardResult;
}
