/**
 * The "tiles" source on its own: the tile scheme's arithmetic (level choice, tile ranges, templates with
 * {-y} and {s}), and the source against an in-memory tile server: missing tiles (404, ArcGIS "not found",
 * fully transparent) are nodata, retries, and headers and tokens from the environment that never show.
 */
import {setMaxListeners} from 'node:events';
import sharp from 'sharp';
import {describe, expect, it} from 'vitest';
import {presetSchema, type TilesLayerConfig} from '../../source/config/preset-schema.js';
import {UserError} from '../../source/errors.js';
import type {Bbox} from '../../source/engine/geo/georaster.js';
import type {SourceContext} from '../../source/engine/sources/source.js';
import type {HttpResponse, Transport} from '../../source/engine/sources/transport.js';
import {
	chooseLevel,
	parseTileInfo,
	templateUrl,
	tileBbox,
	tileRange,
	webMercatorHalf,
	xyzScheme,
} from '../../source/engine/sources/tiles/tile-scheme.js';
import {tilesSource} from '../../source/engine/sources/tiles/tiles-layer.js';

/** World_Imagery's tileInfo as its service publishes it (lods cut to 0..23, as real). */
function worldImageryInfo(): Record<string, unknown> {
	const origin = 20_037_508.342787;
	return {
		currentVersion: 10.3,
		singleFusedMapCache: true,
		spatialReference: {wkid: 102100, latestWkid: 3857},
		tileInfo: {
			rows: 256,
			cols: 256,
			dpi: 96,
			format: 'JPEG',
			compressionQuality: 90,
			origin: {x: -origin, y: origin},
			spatialReference: {wkid: 102100, latestWkid: 3857},
			lods: Array.from({length: 24}, (_, level) => ({
				level,
				resolution: (2 * origin) / 256 / 2 ** level,
				scale: 591_657_527.591555 / 2 ** level,
			})).reverse(),
		},
		fullExtent: {
			xmin: -origin,
			ymin: -origin,
			xmax: origin,
			ymax: origin,
			spatialReference: {wkid: 102100, latestWkid: 3857},
		},
	};
}

describe('the tile scheme', () => {
	const world = parseTileInfo(worldImageryInfo());

	it('reads an ArcGIS tileInfo: Web Mercator by its old WKID, 256 px, levels coarsest first', () => {
		expect(world).toMatchObject({kind: 'arcgis', epsg: 3857, tileWidth: 256, tileHeight: 256, format: 'JPEG'});
		expect(world.lods.map((lod) => lod.level)).toEqual(Array.from({length: 24}, (_, level) => level));
		expect(() => parseTileInfo({currentVersion: 10.91, capabilities: 'Map'})).toThrow(/no tileInfo/);
		expect(() => parseTileInfo({tileInfo: {rows: 256, cols: 256, origin: {x: 0, y: 0}, lods: []}})).toThrow(
			/spatialReference|levels/,
		);
	});

	it('chooses the coarsest level at least as fine as the cell size; a pinned level must exist', () => {
		expect(chooseLevel(world, 0.5).level).toBe(19); // 0.597 is coarser, 0.299 is fine enough
		expect(chooseLevel(world, 0.3).level).toBe(19);
		expect(chooseLevel(world, 0.29).level).toBe(20);
		expect(chooseLevel(world, world.lods[17].resolution).level).toBe(17); // equal is fine enough
		expect(chooseLevel(world, world.lods[17].resolution * (1 + 1e-9)).level).toBe(17);
		expect(chooseLevel(world, 0.001).level).toBe(23); // finer than the cache: its finest
		expect(chooseLevel(world, 1e9).level).toBe(0);
		expect(chooseLevel(world, 0.5, 12).level).toBe(12);
		expect(() => chooseLevel(world, 0.5, 24)).toThrow('the cache has no level 24 (it has levels 0..23)');
	});

	it('finds the tiles covering a bbox, edges on tile edges not reaching over, none before the origin or past the world', () => {
		const scheme = xyzScheme(256, 22);
		const lod = scheme.lods[3]; // 8 × 8 tiles
		const span = 256 * lod.resolution;
		const tile = tileBbox(scheme, lod, 2, 5);
		expect(tile.xmin).toBeCloseTo(-webMercatorHalf + 5 * span, 3);
		expect(tile.ymax).toBeCloseTo(webMercatorHalf - 2 * span, 3);
		expect(tileRange(scheme, lod, tile)).toEqual({level: 3, rowMin: 2, rowMax: 2, colMin: 5, colMax: 5});
		const inside = {xmin: tile.xmin + 1, ymin: tile.ymin - 1, xmax: tile.xmax + 1, ymax: tile.ymax - 1};
		expect(tileRange(scheme, lod, inside)).toEqual({level: 3, rowMin: 2, rowMax: 3, colMin: 5, colMax: 6});
		const everything = {xmin: -1e8, ymin: -1e8, xmax: 1e8, ymax: 1e8};
		expect(tileRange(scheme, lod, everything)).toEqual({level: 3, rowMin: 0, rowMax: 7, colMin: 0, colMax: 7});
		expect(tileRange(scheme, lod, {xmin: -1e8, ymin: 0, xmax: -9e7, ymax: 1})).toBeUndefined();
	});

	it('fills templates: {z}/{x}/{y}, {z}/{y}/{x}, the TMS flip {-y}, WMTS names, {s} and {token}', () => {
		const tile = {level: 3, row: 1, col: 5};
		expect(templateUrl('https://t/{z}/{x}/{y}.png', tile)).toBe('https://t/3/5/1.png');
		expect(templateUrl('https://t/tile/{z}/{y}/{x}', tile)).toBe('https://t/tile/3/1/5');
		expect(templateUrl('https://t/{z}/{x}/{-y}.png', tile)).toBe('https://t/3/5/6.png'); // 2^3 - 1 - 1
		expect(templateUrl('https://t/{TileMatrix}/{TileRow}/{TileCol}.jpg', tile)).toBe('https://t/3/1/5.jpg');
		expect(templateUrl('https://t/{z}/{x}/{y}?key={token}', tile, undefined, 'a b&c')).toBe(
			'https://t/3/5/1?key=a%20b%26c',
		);
		const hosts = Array.from({length: 6}, (_, col) =>
			templateUrl('https://{s}.t/{z}/{x}/{y}', {level: 3, row: 1, col}, ['a', 'b', 'c']),
		);
		expect(hosts.map((url) => new URL(url).hostname)).toEqual(['b.t', 'c.t', 'a.t', 'b.t', 'c.t', 'a.t']);
		// The same tile always from the same host, so caches on the way stay warm.
		expect(templateUrl('https://{s}.t/{z}/{x}/{y}', tile, ['a', 'b', 'c'])).toBe(
			templateUrl('https://{s}.t/{z}/{x}/{y}', tile, ['a', 'b', 'c']),
		);
	});
});

describe('the preset schema for kind "tiles"', () => {
	const base = {
		extent: {xmin: 0, ymin: 0, xmax: 100, ymax: 100},
		cellSize: 0.5,
		tileSize: 256,
		models: ['models/demo'],
	};
	const parse = (rgb: unknown, dsm?: unknown) =>
		presetSchema.safeParse({...base, layers: {rgb, ...(dsm === undefined ? {} : {dsm})}});
	const messages = (result: ReturnType<typeof parse>) =>
		result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

	it('takes an ArcGIS cache or an XYZ template, with bilinear resampling and U8 by default', () => {
		const parsed = parse({url: 'https://h/arcgis/rest/services/World_Imagery/MapServer', kind: 'tiles'});
		expect(parsed.success).toBe(true);
		expect(parsed.data!.layers.rgb).toMatchObject({kind: 'tiles', resampling: 'bilinear', pixelType: 'U8'});
		const xyz = parse({
			url: 'https://{s}.tile.example.org/{z}/{x}/{-y}.png',
			kind: 'tiles',
			subdomains: ['a', 'b'],
			tileSize: 512,
			headers: {'X-Api-Key': 'TILE_KEY'},
		});
		expect(messages(xyz)).toEqual([]);
	});

	it('refuses a template without its fields, {s} without subdomains, XYZ fields on an ArcGIS cache, header values', () => {
		expect(messages(parse({url: 'https://t/{z}/{x}.png', kind: 'tiles'}))).toEqual([
			expect.stringMatching(/^layers\.rgb\.url: .*lacks \{y\} or \{-y\}/),
		]);
		expect(messages(parse({url: 'https://{s}.t/{z}/{x}/{y}.png', kind: 'tiles'}))).toEqual([
			expect.stringMatching(/^layers\.rgb\.subdomains: the url has \{s\}/),
		]);
		expect(messages(parse({url: 'https://h/rest/services/A/MapServer', kind: 'tiles', tileSize: 512}))).toEqual([
			expect.stringMatching(/^layers\.rgb\.tileSize: applies to XYZ templates only/),
		]);
		// A value where the environment variable's name belongs: it would end up in the preset.
		const leaked = messages(
			parse({url: 'https://t/{z}/{x}/{y}.png', kind: 'tiles', headers: {'X-Api-Key': 'abc-123-secret'}}),
		);
		expect(leaked).toEqual([
			expect.stringMatching(/^layers\.rgb\.headers\.X-Api-Key: the name of an environment variable/),
		]);
	});

	it('refuses a DSM from tiles, naming the kinds that can hold heights', () => {
		const result = parse(
			{url: 'https://t/{z}/{x}/{y}.png', kind: 'tiles'},
			{url: 'https://t/{z}/{x}/{y}.png', kind: 'tiles'},
		);
		expect(messages(result)).toEqual([
			expect.stringMatching(/^layers\.dsm\.kind: .*tile caches hold 8-bit pictures.*"ImageServer".*"file"/),
		]);
	});
});

/** A synthetic XYZ server: tile (z, x, y) is a gradient that names its place, or what `special` says. */
type Special = 'missing' | 'arcgis-missing' | 'transparent' | 'busy-once' | 'unauthorised' | 'html';

async function tilePng(level: number, col: number, row: number, alpha?: number): Promise<Buffer> {
	const size = 256;
	const channels = alpha === undefined ? 3 : 4;
	const data = Buffer.alloc(size * size * channels);
	for (let y = 0; y < size; y++)
		for (let x = 0; x < size; x++) {
			const p = (y * size + x) * channels;
			data[p] = x;
			data[p + 1] = y;
			data[p + 2] = (col * 37 + row * 11 + level) % 256;
			if (alpha !== undefined) data[p + 3] = alpha;
		}
	return sharp(data, {raw: {width: size, height: size, channels}})
		.png()
		.toBuffer();
}

function tileServer(special: (z: number, x: number, y: number) => Special | undefined = () => undefined) {
	const asked: Array<{url: string; headers?: Record<string, string>}> = [];
	const busy = new Set<string>();
	const transport: Transport = async (url, request) => {
		asked.push({url, ...(request.headers && {headers: request.headers})});
		const match = /\/(\d+)\/(\d+)\/(\d+)\.png/.exec(url);
		if (!match) return {status: 404, body: new Uint8Array()};
		const [z, x, y] = match.slice(1).map(Number);
		const answer = (status: number, body: string | Buffer, contentType = 'image/png'): HttpResponse => ({
			status,
			contentType,
			body: new Uint8Array(typeof body === 'string' ? Buffer.from(body) : body),
		});
		switch (special(z, x, y)) {
			case 'missing':
				return answer(404, 'Not Found', 'text/plain');
			case 'arcgis-missing':
				return answer(200, JSON.stringify({error: {code: 404, message: 'Not Found', details: []}}), 'application/json');
			case 'transparent':
				return answer(200, await tilePng(z, x, y, 0));
			case 'unauthorised':
				return answer(401, 'Unauthorized', 'text/plain');
			case 'html':
				return answer(200, '<html>maintenance</html>', 'text/html');
			case 'busy-once':
				if (!busy.has(url)) {
					busy.add(url);
					return answer(503, 'busy', 'text/plain');
				}
		}
		return answer(200, await tilePng(z, x, y));
	};
	return {transport, asked};
}

/** A plan tile of 64 × 64 cells of a quarter of a level-18 pixel: level 18 is read and each tile pixel is 4 × 4 cells. */
const level18 = (2 * webMercatorHalf) / 256 / 2 ** 18;
const tileSpan = 256 * level18;
/** Tile column and row of level 18 whose upper-left corner the request starts at. */
const [col0, row0] = [140_000, 90_000];
const request = (cols = 1, rows = 1): {bbox: Bbox; width: number; height: number} => {
	const xmin = -webMercatorHalf + col0 * tileSpan;
	const ymax = webMercatorHalf - row0 * tileSpan;
	return {
		bbox: {xmin, ymax, xmax: xmin + cols * tileSpan, ymin: ymax - rows * tileSpan},
		width: cols * 256,
		height: rows * 256,
	};
};

function layer(overrides: Partial<TilesLayerConfig> = {}): TilesLayerConfig {
	return {
		url: 'https://tiles.test/{z}/{x}/{y}.png',
		kind: 'tiles',
		pixelType: 'U8',
		resampling: 'nearest',
		...overrides,
	};
}

function context(transport: Transport, overrides: Partial<SourceContext> = {}): SourceContext {
	return {
		role: 'rgb',
		epsg: 3857,
		cellSize: level18,
		transport,
		retry: {retries: 3, baseDelayMs: 1, maxDelayMs: 2},
		...overrides,
	};
}

function hooks(onRetry?: (attempt: number, reason: string) => void) {
	const controller = new AbortController();
	setMaxListeners(0, controller.signal);
	return {signal: controller.signal, ...(onRetry && {onRetry})};
}

describe('the tiles source against an XYZ server', () => {
	it('reads the level of the cell size and puts each tile where it belongs', async () => {
		const server = tileServer();
		const source = await tilesSource.open(layer(), context(server.transport));
		expect(source.describe()).toMatchObject({
			kind: 'tiles',
			crs: 'EPSG:3857',
			reads: expect.stringMatching(/^level 18 \(0\.5972 m\)/),
		});
		expect(source.fingerprint()).toMatchObject({kind: 'tiles', level: 18, url: 'https://tiles.test/{z}/{x}/{y}.png'});
		const fetched = await source.fetch(request(2, 1), hooks());
		const {raster} = fetched;
		expect(raster.nodataMask).toBeUndefined();
		// Pixel (x, y) of tile (col, row) holds (x, y, its tile's colour).
		const at = (x: number, y: number) => [...raster.data.subarray((y * 512 + x) * 3, (y * 512 + x) * 3 + 3)];
		expect(at(10, 20)).toEqual([10, 20, (col0 * 37 + row0 * 11 + 18) % 256]);
		expect(at(256 + 7, 255)).toEqual([7, 255, ((col0 + 1) * 37 + row0 * 11 + 18) % 256]);
		expect(fetched.urls).toEqual(
			expect.arrayContaining([
				`https://tiles.test/18/${col0}/${row0}.png`,
				`https://tiles.test/18/${col0 + 1}/${row0}.png`,
			]),
		);
	});

	it('counts rows from the south for {-y}, and spreads tiles over the subdomains', async () => {
		const server = tileServer();
		const source = await tilesSource.open(
			layer({url: 'https://{s}.tiles.test/{z}/{x}/{-y}.png', subdomains: ['a', 'b', 'c']}),
			context(server.transport),
		);
		await source.fetch(request(2, 2), hooks());
		const flipped = 2 ** 18 - 1 - row0;
		const urls = server.asked.map((entry) => entry.url);
		expect(urls).toContain(`https://${'abc'[(col0 + row0) % 3]}.tiles.test/18/${col0}/${flipped}.png`);
		expect(new Set(urls.map((url) => new URL(url).hostname)).size).toBe(3);
	});

	it('takes 404s, ArcGIS "not found" bodies and fully transparent tiles for nodata, not errors', async () => {
		const kinds: Special[] = ['missing', 'arcgis-missing', 'transparent'];
		const server = tileServer((_z, x, y) => (y === row0 && x >= col0 && x < col0 + 3 ? kinds[x - col0] : undefined));
		const source = await tilesSource.open(layer(), context(server.transport));
		const fetched = await source.fetch(request(4, 2), hooks());
		const mask = fetched.raster.nodataMask!;
		const missing = (x: number, y: number) => mask[y * 1024 + x];
		for (let col = 0; col < 4; col++) {
			expect(missing(col * 256 + 100, 100), `tile ${col} of the top row`).toBe(col < 3 ? 1 : 0);
			expect(missing(col * 256 + 100, 300), `tile ${col} of the second row`).toBe(0);
		}
		expect(fetched.urls.some((url) => url.includes(`/${col0}/${row0}.png`))).toBe(false);
	});

	it('retries what is transient, and says so', async () => {
		const server = tileServer((_z, x, y) => (x === col0 && y === row0 ? 'busy-once' : undefined));
		const retries: string[] = [];
		const source = await tilesSource.open(layer(), context(server.transport));
		const fetched = await source.fetch(
			request(1, 1),
			hooks((_attempt, reason) => retries.push(reason)),
		);
		expect(retries).toEqual(['HTTP 503']);
		expect(fetched.attempts).toBeGreaterThan(fetched.urls.length);
		expect(fetched.raster.nodataMask).toBeUndefined();
	});

	it('sends headers and the token from environment variables and never shows their values', async () => {
		const env = {TILE_KEY: 'key-0123456789-secret', TILE_TOKEN: 'tok-9876543210-secret'};
		const logs: string[] = [];
		const server = tileServer();
		const config = layer({headers: {'X-Api-Key': 'TILE_KEY'}, token: {env: 'TILE_TOKEN'}});
		const source = await tilesSource.open(
			config,
			context(server.transport, {env, onLog: (_level, message) => logs.push(message)}),
		);
		const fetched = await source.fetch(request(1, 1), hooks());
		expect(server.asked[0].headers).toEqual({'X-Api-Key': env.TILE_KEY});
		expect(server.asked[0].url).toContain(`token=${env.TILE_TOKEN}`);
		const shown = JSON.stringify([fetched.urls, source.fingerprint(), source.describe(), logs]);
		expect(shown).not.toContain(env.TILE_KEY);
		expect(shown).not.toContain(env.TILE_TOKEN);
		expect(fetched.urls[0]).toContain('token=REDACTED');

		// Refused: the message names the variables to fix, not their values.
		const refusing = tileServer(() => 'unauthorised');
		const refused = await tilesSource.open(
			layer({headers: {'X-Api-Key': 'TILE_KEY'}}),
			context(refusing.transport, {env}),
		);
		const error = await refused.fetch(request(1, 1), hooks()).then(
			() => new Error('expected a refusal'),
			(caught: unknown) => caught as Error,
		);
		expect(error).toBeInstanceOf(UserError);
		expect(error.message).toMatch(/TILE_KEY/);
		expect(error.message).not.toContain(env.TILE_KEY);

		await expect(
			tilesSource.open(layer({headers: {'X-Api-Key': 'TILE_KEY'}}), context(server.transport, {env: {}})),
		).rejects.toThrow(/layers\.rgb\.headers\.X-Api-Key names the environment variable TILE_KEY, which is not set/);
	});

	it('refuses a pinned level the cache lacks, one far too fine, and a DSM', async () => {
		const server = tileServer();
		await expect(tilesSource.open(layer({level: 23, maxLevel: 20}), context(server.transport))).rejects.toThrow(
			/layers\.rgb\.level: the cache has no level 23 \(it has levels 0\.\.20\)/,
		);
		await expect(
			tilesSource.open(layer({level: 22}), context(server.transport, {cellSize: level18 * 2})),
		).rejects.toThrow(/layers\.rgb\.level 22: .* 32 times finer than the plan's cell size/);
		await expect(tilesSource.open(layer(), context(server.transport, {role: 'dsm'}))).rejects.toThrow(
			/kind "tiles" reads 8-bit pictures, not heights/,
		);
		expect(server.asked).toEqual([]);
	});

	it('refuses tiles of another size than the scheme says, naming the setting', async () => {
		const server = tileServer();
		const source = await tilesSource.open(layer({tileSize: 512}), context(server.transport));
		await expect(source.fetch(request(1, 1), hooks())).rejects.toThrow(
			/is 256×256 px, not the 512×512 px .* set layers\.rgb\.tileSize to 256/,
		);
	});
});
