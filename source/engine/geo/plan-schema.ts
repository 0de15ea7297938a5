/**
 * plan.json as read back: every number finite, the grid whole, and every tile id the one its row and
 * column give, so that an id read from a plan can name a file (r000_c000.tif) and nothing else.
 */
import {z} from 'zod';
import {tileId, type Plan} from './plan.js';

const finite = z.number();
const whole = z.number().int().nonnegative();
const bbox = z.object({xmin: finite, ymin: finite, xmax: finite, ymax: finite});

export const tileIdPattern = /^r\d{3,}_c\d{3,}$/;

const planSchema = z
	.object({
		crs: z.string().min(1),
		epsg: whole,
		cellSize: finite.positive(),
		tileSize: whole.positive(),
		snap: z.object({mode: z.enum(['symmetric', 'anchor']), alignToGrid: z.boolean()}),
		requested: bbox,
		adjusted: bbox,
		padding: z.object({left: finite, right: finite, top: finite, bottom: finite}),
		rows: whole.positive(),
		cols: whole.positive(),
		tiles: z.array(
			z.object({
				id: z.string().regex(tileIdPattern, 'a tile id is r<row>_c<col>'),
				row: whole,
				col: whole,
				bbox,
				width: whole.positive(),
				height: whole.positive(),
			}),
		),
		area: z
			.object({
				source: z.string(),
				clip: z.boolean(),
				covered: whole,
				skipped: whole,
				polygons: z.array(z.array(z.array(z.tuple([finite, finite])))),
			})
			.optional(),
	})
	.superRefine((plan, context) => {
		const expected = plan.area ? plan.area.covered : plan.rows * plan.cols;
		if (
			plan.tiles.length !== expected ||
			(plan.area && plan.area.covered + plan.area.skipped !== plan.rows * plan.cols)
		)
			context.addIssue({
				code: 'custom',
				message: `${plan.tiles.length} tiles for a grid of ${plan.rows} × ${plan.cols}${plan.area ? ` with ${plan.area.covered} tiles in the area and ${plan.area.skipped} skipped` : ''}`,
			});
		for (const [index, tile] of plan.tiles.entries()) {
			if (tile.id !== tileId(tile.row, tile.col) || tile.row >= plan.rows || tile.col >= plan.cols)
				context.addIssue({
					code: 'custom',
					path: ['tiles', index, 'id'],
					message: `tile ${JSON.stringify(tile.id).slice(0, 40)} is not the grid's tile at row ${tile.row}, column ${tile.col}`,
				});
		}
	});

/** The first problem of a zod failure, with where it is: "tiles.3.id: ...". */
export function firstIssue(error: z.ZodError): string {
	const issue = error.issues[0];
	return `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
}

/** The plan, or an Error saying what is wrong with it. */
export function parsePlan(value: unknown): Plan {
	const parsed = planSchema.safeParse(value);
	if (!parsed.success) throw new Error(firstIssue(parsed.error));
	// The file's own value, not zod's copy, whose keys come in the schema's order.
	return value as Plan;
}
