/**
 * The real service descriptions and error bodies of test/fixtures/arcgis/ (copied from shared/reference;
 * README.md there says where each comes from) through the client: parsed, judged, and the requests the
 * client would build for them checked against Esri's REST reference.
 */
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import type {ArcGisLayerConfig as LayerConfig, LayerName} from '../../source/config/preset-schema.js';
import {arcGisSource} from '../../source/engine/sources/arcgis/arcgis-layer.js';
import {judgeImageResponse, ResponseProblem} from '../../source/engine/sources/arcgis/response.js';
import {rgbBandIds} from '../../source/engine/sources/rgb-bands.js';
import {parseServiceInfo, type ServiceKind} from '../../source/engine/sources/arcgis/service-info.js';
import type {FetchedRaster} from '../../source/engine/sources/source.js';
import type {HttpResponse} from '../../source/engine/sources/transport.js';
import {encodeGeoTiff} from '../../source/engine/geo/geotiff.js';
import {UserError} from '../../source/errors.js';
import {expectListedByEsri} from '../helpers/esri-reference.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/arcgis/${name}`, import.meta.url));
const json = (name: string) => JSON.parse(fixture(name).toString('utf8')) as unknown;

function layerFor(kind: ServiceKind, role: LayerName, overrides: Partial<LayerConfig> = {}): LayerConfig {
	return {
		url: `https://example.test/arcgis/rest/services/Fixture/${kind}`,
		kind,
		pixelType: role === 'rgb' ? 'U8' : 'F32',
		interpolation: 'RSP_BilinearInterpolation',
		maxRequestSize: 2048,
		...overrides,
	};
}

type Exchange = {asked: string[]; fetched: Promise<FetchedRaster>};

/** Opens a layer on a fixture description (edited by `edit`) and asks for one raster; `answer` plays the export. */
async function exchange(
	description: string,
	role: LayerName,
	options: {
		layer?: Partial<LayerConfig>;
		epsg?: number;
		size?: [number, number];
		edit?: (info: Record<string, unknown>) => void;
		answer?: (url: URL) => Promise<HttpResponse> | HttpResponse;
	} = {},
): Promise<Exchange> {
	const kind: ServiceKind = description.includes('mapserver') ? 'MapServer' : 'ImageServer';
	const info = json(description) as Record<string, unknown>;
	options.edit?.(info);
	const answer = options.answer ?? (() => ({status: 200, body: new Uint8Array(fixture(badRequest))}));
	const asked: string[] = [];
	const transport = async (url: string): Promise<HttpResponse> => {
		asked.push(url);
		return url.includes('?f=json')
			? {status: 200, body: new Uint8Array(Buffer.from(JSON.stringify(info)))}
			: answer(new URL(url));
	};
	const context = {
		role,
		epsg: options.epsg ?? 3857,
		cellSize: 1,
		transport,
		retry: {retries: 1, baseDelayMs: 1, maxDelayMs: 1},
	};
	const source = await arcGisSource.open(layerFor(kind, role, options.layer), context);
	const [width, height] = options.size ?? [1000, 800];
	const bbox = {xmin: 0, ymin: 0, xmax: width, ymax: height};
	const fetched = source.fetch({bbox, width, height}, {signal: new AbortController().signal});
	fetched.catch(() => undefined);
	return {asked, fetched};
}

const badRequest = 'errors/arcgis-rest-js-ArcGISOnlineError-400.json';

/** The export request the client builds for a fixture service (answered with a 400, so it is the only one). */
async function requestFor(
	description: string,
	role: LayerName,
	layer: Partial<LayerConfig> = {},
	epsg = 3857,
): Promise<URL> {
	const {asked, fetched} = await exchange(description, role, {layer, epsg});
	await expect(fetched).rejects.toBeInstanceOf(UserError);
	return new URL(asked.at(-1)!);
}

describe('real service descriptions', () => {
	it('CharlotteLAS: latestWkid wins, and the limits differ by side', () => {
		const info = parseServiceInfo('ImageServer', json('qgis-imageserver-CharlotteLAS.json'));
		expect(info).toMatchObject({
			epsg: 2264,
			maxImageWidth: 15_000,
			maxImageHeight: 4100,
			pixelType: 'F32',
			bandCount: 1,
		});
	});

	it('Toronto: a 4-band U16 service whose red, green and blue are bands 2, 1, 0', () => {
		const info = parseServiceInfo('ImageServer', json('qgis-imageserver-Toronto-U16-4band.json'));
		expect(info).toMatchObject({epsg: 3857, pixelType: 'U16', bandCount: 4, tilesOnly: false});
		expect(info.pixelSize).toBeGreaterThan(0);
		expect(rgbBandIds(info.bandNames)).toEqual([2, 1, 0]);
	});

	it('GEBCO: no published limits means the server default 2048, and its noDataValue is read', () => {
		const info = parseServiceInfo('ImageServer', json('qgis-imageserver-GEBCO-agol-tiled-S16-nodata.json'));
		expect(info).toMatchObject({
			epsg: 4326,
			maxImageWidth: 2048,
			maxImageHeight: 2048,
			noDataValue: 32767,
			pixelType: 'S16',
		});
	});

	it('Krovak MapServer: wkid 102067 read as EPSG:5514', () => {
		const info = parseServiceInfo('MapServer', json('qgis-mapserver-11.1-krovak.json'));
		expect(info).toMatchObject({epsg: 5514, maxImageWidth: 4096, maxImageHeight: 4096});
		expect(info.imageFormats).toContain('TIFF');
	});

	it('LandsatGLS: six S16 bands named Band_1..Band_6 do not say which is red', () => {
		const info = parseServiceInfo('ImageServer', json('mapsui-imageserver-LandsatGLS-MS-abridged.json'));
		expect(info).toMatchObject({pixelType: 'S16', bandCount: 6, maxImageWidth: 4000, maxImageHeight: 4000});
		expect(rgbBandIds(info.bandNames)).toBeUndefined();
	});

	it('3DEP: F32 elevation advertising 8000 × 8000', () => {
		const info = parseServiceInfo('ImageServer', json('3dep-imageserver-RECONSTRUCTED-from-probe-log.json'));
		expect(info).toMatchObject({epsg: 3857, maxImageWidth: 8000, maxImageHeight: 8000, pixelType: 'F32'});
	});
});

describe('real error bodies', () => {
	it.each([
		['3dep-500-error-exporting-image-RECONSTRUCTED.json', 'transient'],
		['3dep-measured-imageSR-invalid-RECONSTRUCTED.json', 'fatal'],
		['3dep-measured-size-limit-200-image-tiff.json', 'size'],
		['arcgis-rest-js-ArcGISOnlineAuthError-498.json', 'auth'],
		['arcgis-rest-js-ArcGISOnlineError-400.json', 'fatal'],
		['arcgis-rest-js-ArcGISServerTokenRequired-499.json', 'auth'],
		['arcgis-rest-js-ErrorNoCode.json', 'fatal'],
		['arcgis-rest-js-ErrorNoMessageCode-403.json', 'denied'],
		['arcgis-rest-js-RefreshTokenError-498.json', 'auth'],
	])('%s is %s', (name, kind) => {
		const body = new Uint8Array(fixture(`errors/${name}`));
		let problem: unknown;
		try {
			judgeImageResponse({status: 200, contentType: 'image/tiff', body});
		} catch (error) {
			problem = error;
		}
		expect(problem).toBeInstanceOf(ResponseProblem);
		expect((problem as ResponseProblem).kind).toBe(kind);
	});

	it('the size-limit body is the 156 bytes measured', () => {
		expect(fixture('errors/3dep-measured-size-limit-200-image-tiff.json').toString('utf8').trim()).toHaveLength(156);
	});
});

describe('requests built for real services are ones Esri lists', () => {
	it('MapServer export of the Krovak service: png24 (lossless, listed), never tiff', async () => {
		const url = await requestFor('qgis-mapserver-11.1-krovak.json', 'rgb', {}, 5514);
		expectListedByEsri(url);
		expect(url.searchParams.get('format')).toBe('png24');
		expect(url.searchParams.get('bboxSR')).toBe('5514');
	});

	it('Toronto RGB: bands by name and the service pixel type, stretched by its statistics', async () => {
		const url = await requestFor('qgis-imageserver-Toronto-U16-4band.json', 'rgb');
		expectListedByEsri(url);
		expect(url.searchParams.get('bandIds')).toBe('2,1,0');
		expect(url.searchParams.get('pixelType')).toBe('U16');
		expect(url.searchParams.get('format')).toBe('tiff');
	});

	it('LandsatGLS RGB with bandIds given: S16 stretched by its statistics', async () => {
		const url = await requestFor('mapsui-imageserver-LandsatGLS-MS-abridged.json', 'rgb', {bandIds: [2, 1, 0]});
		expectListedByEsri(url);
		expect(url.searchParams.get('pixelType')).toBe('S16');
	});

	it.each([
		'qgis-imageserver-CharlotteLAS.json',
		'3dep-imageserver-RECONSTRUCTED-from-probe-log.json',
		'qgis-imageserver-GEBCO-agol-tiled-S16-nodata.json',
	])('%s as the DSM', async (description) => {
		expectListedByEsri(await requestFor(description, 'dsm', {nodata: -9999}));
	});

	it('LandsatGLS RGB without bandIds is refused, naming the field', async () => {
		await expect(requestFor('mapsui-imageserver-LandsatGLS-MS-abridged.json', 'rgb')).rejects.toThrow(
			/Band_1, .*do not say which are red, green and blue; set layers\.rgb\.bandIds/,
		);
	});
});

describe('the client on what real services answer', () => {
	const errorAnswer = (name: string) => () => ({status: 200, body: new Uint8Array(fixture(`errors/${name}`))});

	it('a 403 stops at once and says the account may not use the service, not that the token expired', async () => {
		const {asked, fetched} = await exchange('qgis-imageserver-CharlotteLAS.json', 'dsm', {
			answer: errorAnswer('arcgis-rest-js-ErrorNoMessageCode-403.json'),
		});
		await expect(fetched).rejects.toThrow(/refuses anonymous access .*give a token of an account that has access/);
		expect(asked.filter((url) => url.includes('exportImage'))).toHaveLength(1);
	});

	it('an error without a code stops at once instead of being retried', async () => {
		const {asked, fetched} = await exchange('qgis-imageserver-CharlotteLAS.json', 'dsm', {
			answer: errorAnswer('arcgis-rest-js-ErrorNoCode.json'),
		});
		await expect(fetched).rejects.toThrow(/ArcGIS error \(no code\): You do not have permissions/);
		expect(asked.filter((url) => url.includes('exportImage'))).toHaveLength(1);
	});

	it('splits under 2048 px when the service publishes no limit', async () => {
		const {asked, fetched} = await exchange('qgis-imageserver-GEBCO-agol-tiled-S16-nodata.json', 'dsm', {
			layer: {maxRequestSize: 4096},
			size: [3000, 100],
		});
		await expect(fetched).rejects.toBeInstanceOf(UserError);
		const sizes = asked
			.filter((url) => url.includes('exportImage'))
			.map((url) => new URL(url).searchParams.get('size'));
		expect(sizes[0]).toMatch(/^1500,100$/);
	});

	it("takes the service's noDataValue, the answer's nodata tag and NaN as the DSM's nodata", async () => {
		const values = [1, 32_767, Number.NaN, 7, 5, 6];
		const {fetched} = await exchange('qgis-imageserver-GEBCO-agol-tiled-S16-nodata.json', 'dsm', {
			layer: {nodata: -9999},
			epsg: 4326,
			size: [3, 2],
			answer: async () => ({
				status: 200,
				body: await encodeGeoTiff({
					width: 3,
					height: 2,
					bands: 1,
					data: Float32Array.from(values),
					bbox: {xmin: 0, ymin: 0, xmax: 3, ymax: 2},
					epsg: 4326,
					nodata: 7,
				}),
			}),
		});
		expect(Array.from((await fetched).raster.data)).toEqual([1, -9999, -9999, -9999, 5, 6]);
	});

	it('refuses 16-bit RGB from a service without statistics, naming the pixel type and the field', async () => {
		await expect(
			exchange('qgis-imageserver-Toronto-U16-4band.json', 'rgb', {edit: (info) => delete info.maxValues}),
		).rejects.toThrow(/pixels are U16, not 8-bit.*set layers\.rgb\.stretch/);
	});

	it("stretches by the preset's range when given, and records the rule in the fingerprint", async () => {
		const stretch = {min: 0, max: 4095};
		const url = await requestFor('qgis-imageserver-Toronto-U16-4band.json', 'rgb', {stretch});
		expect(url.searchParams.get('pixelType')).toBe('U16');
		const source = await arcGisSource.open(layerFor('ImageServer', 'rgb', {stretch}), {
			role: 'rgb',
			epsg: 3857,
			cellSize: 1,
			transport: async () => ({status: 200, body: new Uint8Array(fixture('qgis-imageserver-Toronto-U16-4band.json'))}),
		});
		expect(source.fingerprint().stretch).toEqual({min: [0, 0, 0], max: [4095, 4095, 4095]});
	});
});
