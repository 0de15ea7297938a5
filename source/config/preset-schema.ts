import {z} from 'zod';

const finite = z.number().finite();
const positive = finite.positive();
/** An EPSG code or an Esri WKID: every one is known offline. */
const crsCode = /^(EPSG|ESRI):\d+$/;

export const extentSchema = z
	.object({
		xmin: finite,
		ymin: finite,
		xmax: finite,
		ymax: finite,
		crs: z
			.string()
			.regex(crsCode, 'a CRS code such as "EPSG:3857", "EPSG:4326" or "ESRI:102719"')
			.default('EPSG:3857')
			.describe('CRS of the four numbers; transformed to the plan CRS when different'),
	})
	.strict();

/**
 * The area of interest as a layer: its polygons decide which tiles are done, and the extent is their
 * bounding box. A plain string is the source alone.
 */
export const areaSchema = z
	.union([
		z.string().min(1),
		z
			.object({
				source: z
					.string()
					.min(1)
					.describe(
						'a GeoJSON file, a Shapefile (.shp or .zip), a GeoPackage (.gpkg) or an ArcGIS FeatureServer/MapServer layer URL; paths relative to the preset file',
					),
				layer: z.string().min(1).optional().describe("a GeoPackage's layer (table) name; default its only layer"),
				where: z.string().min(1).optional().describe('an attribute filter, e.g. "NAME = \'Olinda\'"'),
				clip: z
					.boolean()
					.default(true)
					.describe('masks, polygons, statistics and training chips are nodata outside the area'),
				token: z
					.object({env: z.string().min(1).optional(), value: z.string().min(1).optional()})
					.strict()
					.refine((token) => token.env !== undefined || token.value !== undefined, 'give "env" or "value"')
					.optional()
					.describe("for a feature layer that needs one, as the layers' token"),
			})
			.strict(),
	])
	.transform((area) => (typeof area === 'string' ? {source: area, clip: true} : area));

const stretchSchema = z
	.object({min: finite, max: finite})
	.strict()
	.refine((range) => range.max > range.min, 'max must be above min')
	.optional()
	.describe("16-bit or float RGB: the values mapped to 0 and 255 in every band; default: the source's own value range");

const tokenSchema = z
	.object({
		env: z.string().min(1).optional().describe('name of an environment variable holding the token'),
		value: z.string().min(1).optional().describe('the token itself (prefer env: presets get shared)'),
	})
	.strict()
	.refine((token) => token.env !== undefined || token.value !== undefined, 'give "env" or "value"');

/** An ArcGIS ImageServer (`exportImage`) or MapServer (dynamic `export`) layer. */
const arcGisLayerSchema = z
	.object({
		url: z
			.string()
			.url()
			.regex(/^https?:\/\//i, 'an http:// or https:// URL')
			.regex(/\/(ImageServer|MapServer)\/?$/, 'a service URL ending in /ImageServer or /MapServer'),
		kind: z.enum(['ImageServer', 'MapServer']),
		bandIds: z.array(z.number().int().nonnegative()).min(1).optional(),
		pixelType: z.enum(['U8', 'F32']),
		nodata: finite.optional(),
		stretch: stretchSchema,
		interpolation: z
			.enum(['RSP_NearestNeighbor', 'RSP_BilinearInterpolation', 'RSP_CubicConvolution'])
			.default('RSP_BilinearInterpolation'),
		maxRequestSize: z
			.number()
			.int()
			.min(64)
			.max(16_384)
			.default(2048)
			.describe('self-imposed cap on one request side in pixels, below the service limit'),
		token: tokenSchema.optional(),
	})
	.strict()
	.superRefine((layer, context) => {
		if (layer.url.replace(/\/+$/, '').endsWith(`/${layer.kind}`)) return;
		context.addIssue({
			code: 'custom',
			path: ['kind'],
			input: layer.kind,
			message: `but the url ends in /${layer.kind === 'ImageServer' ? 'MapServer' : 'ImageServer'}; make kind and the url agree`,
		});
	});

/** An HTTP header name (RFC 9110 token) and the environment variable holding its value. */
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An ArcGIS cached MapServer/ImageServer (its `tileInfo`), or an XYZ/WMTS URL template in Web Mercator. */
const tilesLayerSchema = z
	.object({
		url: z
			.string()
			.url()
			.regex(/^https?:\/\//i, 'an http:// or https:// URL')
			.describe(
				'a cached ArcGIS service (…/MapServer or …/ImageServer, read through /tile/{level}/{row}/{col}) or an XYZ/WMTS template with {z}, {x} and {y} or {-y} (TMS), optionally {s}',
			),
		kind: z.literal('tiles'),
		pixelType: z.enum(['U8']).default('U8').describe('tile caches hold 8-bit pictures: RGB only'),
		level: z
			.number()
			.int()
			.min(0)
			.max(30)
			.optional()
			.describe("the cache level to read; default: the coarsest level at least as fine as the plan's cell size"),
		maxLevel: z
			.number()
			.int()
			.min(0)
			.max(30)
			.optional()
			.describe('XYZ templates only: the deepest level the server has (default 22)'),
		tileSize: z
			.union([z.literal(256), z.literal(512)])
			.optional()
			.describe('XYZ templates only: tile side in pixels (default 256)'),
		subdomains: z
			.array(
				z
					.string()
					.min(1)
					.regex(/^[A-Za-z0-9.-]+$/, 'a host name part such as "a" or "tile1"'),
			)
			.min(1)
			.optional()
			.describe('the values of {s} in the template, spread over the tiles'),
		resampling: z.enum(['nearest', 'bilinear']).default('bilinear'),
		token: tokenSchema.optional().describe('sent as the `token` parameter (ArcGIS) or in place of {token}'),
		headers: z
			.record(
				z.string().regex(headerName, 'an HTTP header name such as "X-Api-Key"'),
				z
					.string()
					.regex(envName, 'the name of an environment variable (values never go in presets)')
					.describe('the environment variable holding the header value'),
			)
			.optional()
			.describe('extra request headers: header name → the environment variable that holds its value'),
	})
	.strict()
	.superRefine((layer, context) => {
		const arcgis = /\/(MapServer|ImageServer)\/?$/.test(layer.url);
		const template = layer.url
			.replace(/\{tilematrix\}/gi, '{z}')
			.replace(/\{tilerow\}/gi, '{y}')
			.replace(/\{tilecol\}/gi, '{x}');
		if (!arcgis) {
			const missing = ['{z}', '{x}'].filter((part) => !template.includes(part));
			if (!template.includes('{y}') && !template.includes('{-y}')) missing.push('{y} or {-y}');
			if (missing.length > 0)
				context.addIssue({
					code: 'custom',
					path: ['url'],
					input: layer.url,
					message: `neither a cached ArcGIS service (…/MapServer, …/ImageServer) nor a tile template: it lacks ${missing.join(', ')}`,
				});
			if (template.includes('{s}') && !layer.subdomains)
				context.addIssue({
					code: 'custom',
					path: ['subdomains'],
					input: layer.subdomains,
					message: 'the url has {s}: list its values, e.g. "subdomains": ["a", "b", "c"]',
				});
		} else {
			for (const field of ['maxLevel', 'tileSize', 'subdomains'] as const) {
				if (layer[field] === undefined) continue;
				context.addIssue({
					code: 'custom',
					path: [field],
					input: layer[field],
					message: `applies to XYZ templates only; an ArcGIS cache says it in its tileInfo: remove ${field}`,
				});
			}
		}
	});

/**
 * A GeoTIFF or Cloud-Optimized GeoTIFF, by local path (relative to the preset file, like `models`) or by
 * http(s) URL (read with range requests: only the windows a tile needs, from the overview its cell size needs).
 */
const fileLayerSchema = z
	.object({
		path: z
			.string()
			.min(1)
			.describe(
				'a GeoTIFF/COG: a local path (relative to the preset file) or an http(s):// URL served with range requests',
			),
		kind: z.literal('file'),
		bandIds: z
			.array(z.number().int().nonnegative())
			.min(1)
			.optional()
			.describe(
				"the file's bands to read, from 0 (rgb: red, green, blue); default: the first three (rgb) or the first (dsm)",
			),
		pixelType: z.enum(['U8', 'F32']).describe('what the layer delivers: U8 for rgb, F32 for dsm'),
		nodata: finite.optional().describe("the value of pixels without data; default: the file's own (GDAL_NODATA)"),
		stretch: stretchSchema,
		resampling: z
			.enum(['nearest', 'bilinear'])
			.default('bilinear')
			.describe('onto the plan grid: bilinear for imagery and elevation, nearest for classes'),
	})
	.strict();

/**
 * One layer (rgb or dsm), by `kind`: where its pixels come from. Adding a kind is its schema here and its
 * source in engine/sources/registry.ts.
 */
export const layerSchema = z.discriminatedUnion('kind', [arcGisLayerSchema, tilesLayerSchema, fileLayerSchema]);

/** The output formats, in the order they are written; engine/outputs/registry.ts has a writer for each. */
export const outputFormatNames = ['masks', 'vrt', 'cog', 'geojson', 'training', 'stats'] as const;

export type OutputFormat = (typeof outputFormatNames)[number];

/** Formats made from the mask tiles on disk. */
const readsMaskTiles: OutputFormat[] = ['vrt', 'cog', 'geojson'];

/** The fields older presets switched formats off with; `false` leaves the format out. */
const legacyFormatFlags = ['training', 'geojson'] as const;

const outputSchema = z
	.object({
		dir: z.string().min(1).default('deepmask-out'),
		maskSize: z
			.object({width: z.number().int().positive(), height: z.number().int().positive()})
			.strict()
			.optional()
			.describe('size of written masks; default: the tile size'),
		formats: z
			.array(z.enum(outputFormatNames))
			.min(1)
			.optional()
			.describe(`what to write; default all of ${outputFormatNames.join(', ')}`),
		training: z.boolean().optional().describe('old presets: false is output.formats without "training"'),
		geojson: z.boolean().optional().describe('old presets: false is output.formats without "geojson"'),
	})
	.strict()
	.superRefine((output, context) => {
		for (const flag of legacyFormatFlags) {
			if (output[flag] === undefined || output.formats === undefined) continue;
			context.addIssue({
				code: 'custom',
				path: [flag],
				input: output[flag],
				message: `but output.formats is given too; remove output.${flag} and list the formats in output.formats only`,
			});
		}
		const formats = output.formats ?? outputFormatNames;
		const needing = readsMaskTiles.filter((format) => formats.includes(format));
		if (needing.length > 0 && !formats.includes('masks')) {
			context.addIssue({
				code: 'custom',
				path: ['formats'],
				input: output.formats,
				message: `but ${needing.join(' and ')} ${needing.length > 1 ? 'are' : 'is'} made from the mask tiles; add "masks" to output.formats or remove ${needing.map((format) => `"${format}"`).join(' and ')}`,
			});
		}
	})
	.transform(({formats, training, geojson, ...output}) => {
		const listed = formats ?? outputFormatNames;
		const switchedOff: Partial<Record<OutputFormat, boolean>> = {
			training: training === false,
			geojson: geojson === false,
		};
		// Written in one order whatever order the preset lists them in, so shards of the same formats compare equal.
		return {...output, formats: outputFormatNames.filter((format) => listed.includes(format) && !switchedOff[format])};
	})
	.prefault({});

export const presetSchema = z
	.object({
		description: z.string().default(''),
		embeddedDemo: z
			.boolean()
			.default(false)
			.describe("start deepmask's embedded demo image service in-process and send the layers' loopback URLs to it"),
		extent: extentSchema
			.optional()
			.describe("the area's bounding box when an area is given (then a given extent only limits the area)"),
		area: areaSchema.optional(),
		crs: z
			.string()
			.regex(crsCode, 'a CRS code such as "EPSG:2056" or "ESRI:102719"')
			.default('EPSG:3857')
			.describe('the plan and output CRS: tiles are requested and written in it'),
		crsDefinition: z
			.string()
			.optional()
			.describe(
				'proj4 definition of crs; only for a CRS neither EPSG nor Esri lists, or a projection proj4 cannot compute',
			),
		cellSize: positive.describe('map units per pixel'),
		tileSize: z.number().int().min(32).max(8192).describe('tile side in pixels'),
		snap: z
			.object({
				mode: z.enum(['symmetric', 'anchor']).default('symmetric'),
				alignToGrid: z.boolean().default(false),
			})
			.strict()
			.default({mode: 'symmetric', alignToGrid: false}),
		maxTiles: z.number().int().positive().default(10_000),
		layers: z
			.object({
				rgb: layerSchema,
				dsm: layerSchema.optional(),
			})
			.strict()
			.superRefine((layers, context) => {
				if (layers.dsm?.kind !== 'tiles') return;
				context.addIssue({
					code: 'custom',
					path: ['dsm', 'kind'],
					input: 'tiles',
					message: `but tile caches hold 8-bit pictures, not heights; read the DSM from an ImageServer (kind "ImageServer") or a GeoTIFF (kind "file")`,
				});
			}),
		models: z.array(z.string().min(1)).min(1).describe('ONNX files or folders (relative to the preset file)'),
		inference: z
			.object({
				mode: z.enum(['resize', 'sliding']).default('resize'),
				provider: z.enum(['auto', 'cpu', 'cuda', 'webgpu']).default('auto'),
				overlap: z.number().min(0).max(75).optional().describe('sliding-window overlap in percent'),
				batchSize: z
					.number()
					.int()
					.min(1)
					.max(256)
					.optional()
					.describe('tiles (or windows) per model run; default 1 on the CPU, 4 on a GPU (cuda, webgpu)'),
				threadsPerModel: z.number().int().min(1).max(256).optional(),
			})
			.strict()
			.default({mode: 'resize', provider: 'auto'}),
		threshold: z
			.union(
				[
					z.number().gt(0).lt(1),
					z
						.record(z.string().min(1), z.number().gt(0).lt(1))
						.refine((given) => Object.keys(given).length > 0, 'name at least one class'),
				],
				{error: 'expected a number between 0 and 1, or one per class name, e.g. {"building": 0.6}'},
			)
			.optional()
			.describe(
				'probability threshold (multi-class: the minimum winning probability), one number or per class name, e.g. {"building": 0.6, "road": 0.4}; classes not named and the default: the models\' seg_thresh',
			),
		classes: z
			.object({
				belowThreshold: z
					.enum(['background', 'uncertain'])
					.default('background')
					.describe(
						'multi-class: what a pixel whose winning probability is below the threshold becomes: background, or its own "uncertain" class (the value after the models\' classes)',
					),
			})
			.strict()
			.optional(),
		postprocess: z
			.object({
				minArea: z.number().min(0).default(0).describe('drop mask components smaller than this, in square map units'),
				fillHoles: z.number().min(0).default(0).describe('fill holes smaller than this, in square map units'),
			})
			.strict()
			.default({minArea: 0, fillHoles: 0}),
		output: outputSchema,
		concurrency: z
			.object({
				downloads: z.number().int().min(1).max(64).default(8),
				perHost: z.number().int().min(1).max(64).default(6),
			})
			.strict()
			.default({downloads: 8, perHost: 6}),
	})
	.strict()
	.superRefine(
		(preset, context) => {
			// Run even when other fields are wrong, so the value may be anything (null, an array).
			if (typeof preset !== 'object' || preset === null || Array.isArray(preset)) return;
			if (preset.extent || preset.area) return;
			context.addIssue({
				code: 'custom',
				path: ['extent'],
				input: undefined,
				message: 'missing; expected object (xmin, ymin, xmax, ymax), or give an area instead (--area PATH|URL)',
			});
		},
		// Said with the other missing fields, not only once they are all right.
		{when: () => true},
	);

export type Preset = z.infer<typeof presetSchema>;
export type PresetInput = z.input<typeof presetSchema>;
export type LayerConfig = z.infer<typeof layerSchema>;
export type ArcGisLayerConfig = z.infer<typeof arcGisLayerSchema>;
export type TilesLayerConfig = z.infer<typeof tilesLayerSchema>;
export type FileLayerConfig = z.infer<typeof fileLayerSchema>;
export type TokenConfig = z.infer<typeof tokenSchema>;
export type LayerName = 'rgb' | 'dsm';
export type AreaConfig = z.infer<typeof areaSchema>;
/** A polygon of an area layer: an outer ring and its holes, each ring closed, as [x, y] positions. */
export type AreaPolygon = {feature: string; rings: Array<Array<[number, number]>>};
/** An area layer as read (engine/geo/area): its polygons in the layer's own CRS, each named by its feature. */
export type AreaFeatures = {
	/** What was read, for messages and plan.json: the path or URL, with the layer and filter. */
	label: string;
	/** An EPSG or Esri code when the layer's CRS has one, else a name for `crsDefinition`. */
	crs: string;
	/** The layer's own definition (WKT) when no code matched it. */
	crsDefinition?: string;
	polygons: AreaPolygon[];
};
/** A rectangle in map units of some CRS: extents, tiles, requests. */
export type Bbox = {xmin: number; ymin: number; xmax: number; ymax: number};
