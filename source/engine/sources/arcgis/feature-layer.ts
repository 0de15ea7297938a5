/**
 * An ArcGIS FeatureServer or MapServer layer as an area: its description (f=json) for the geometry type,
 * maxRecordCount and paging, then `query` as GeoJSON (CRS84) page by page with resultOffset and
 * resultRecordCount, the filter evaluated by the server.
 */
import {UserError} from '../../../errors.js';
import {featureName, type LayerGeometry, type ReadLayer} from '../../area/layer.js';
import {createHttpClient} from '../http-transport.js';
import {TransportError} from '../transport.js';
import {redact} from '../redact.js';
import {describeArcGisError, parseArcGisError} from './response.js';

export const featureLayerUrl = /\/(FeatureServer|MapServer)\/\d+\/?$/i;

/** Pages at most: 1000 of the layer's maxRecordCount is more than any area layer holds. */
const maxPages = 1000;

type LayerInfo = {
	geometryType?: string;
	maxRecordCount?: number;
	advancedQueryCapabilities?: {supportsPagination?: boolean};
};

type GeoJsonPage = {
	features?: Array<{properties?: Record<string, unknown> | null; geometry: LayerGeometry | null}>;
	exceededTransferLimit?: boolean;
	properties?: {exceededTransferLimit?: boolean};
};

export type FeatureLayerRequest = {
	url: string;
	/** Where the layer is fetched from when not `url` (the embedded demo service on its own port); messages name `url`. */
	fetchUrl?: string;
	where?: string;
	token?: string;
	signal?: AbortSignal;
};

export async function readFeatureLayer(request: FeatureLayerRequest): Promise<ReadLayer> {
	const base = request.url.replace(/\/+$/, '');
	const shown = redact(base);
	if (!featureLayerUrl.test(base))
		throw new UserError(
			`the area ${shown} is not an ArcGIS layer URL; give a layer of a FeatureServer or MapServer, ending in /FeatureServer/<n> or /MapServer/<n>`,
		);
	const fetchBase = (request.fetchUrl ?? request.url).replace(/\/+$/, '');
	const client = createHttpClient({downloads: 1, perHost: 1});
	const signal = request.signal ?? new AbortController().signal;
	const get = async (parameters: Record<string, string>): Promise<unknown> => {
		const query = new URLSearchParams({...parameters, ...(request.token && {token: request.token})});
		const url = `${fetchBase}${parameters.f === 'json' ? '' : '/query'}?${query}`;
		let response;
		try {
			response = await client.transport(url, {signal});
		} catch (error) {
			if (!(error instanceof TransportError)) throw error;
			throw new UserError(
				`the area layer ${shown} cannot be reached (${redact(error.message)}); check the URL and the network`,
			);
		}
		const arcgisError = parseArcGisError(response.body);
		if (arcgisError) {
			const fix =
				arcgisError.code === 498 || arcgisError.code === 499
					? 'give a valid token with --set area.token.env=ARCGIS_TOKEN'
					: parameters.where && parameters.where !== '1=1'
						? `check the filter "${parameters.where}" against the layer's fields`
						: 'check the layer URL';
			throw new UserError(`the area layer ${shown} answered ${redact(describeArcGisError(arcgisError))}; ${fix}`);
		}
		if (response.status !== 200)
			throw new UserError(`the area layer ${shown} answered HTTP ${response.status}; check the URL`);
		try {
			return JSON.parse(Buffer.from(response.body).toString('utf8')) as unknown;
		} catch {
			throw new UserError(`the area layer ${shown} did not answer JSON; check that the URL is an ArcGIS layer`);
		}
	};
	try {
		const info = (await get({f: 'json'})) as LayerInfo;
		if (info.geometryType !== 'esriGeometryPolygon')
			throw new UserError(
				`the area layer ${shown} holds ${info.geometryType ?? 'no geometry'}, not polygons; give a polygon layer`,
			);
		const pageSize = Math.max(1, Math.min(info.maxRecordCount ?? 1000, 2000));
		const paging = info.advancedQueryCapabilities?.supportsPagination !== false;
		const where = request.where ?? '1=1';
		const features: ReadLayer['features'] = [];
		for (let page = 0; page < maxPages; page++) {
			const answer = (await get({
				where,
				outFields: '*',
				returnGeometry: 'true',
				outSR: '4326',
				f: 'geojson',
				...(paging && {resultOffset: String(page * pageSize), resultRecordCount: String(pageSize)}),
			})) as GeoJsonPage;
			const got = answer.features ?? [];
			for (const feature of got)
				features.push({name: featureName(features.length + 1, feature.properties), geometry: feature.geometry});
			const more = answer.exceededTransferLimit ?? answer.properties?.exceededTransferLimit ?? false;
			if (!more || got.length === 0) return {crs: 'EPSG:4326', features};
			if (!paging)
				throw new UserError(
					`the area layer ${shown} has more features than it returns at once (maxRecordCount ${pageSize}) and no paging; narrow it with --area-where`,
				);
		}
		throw new UserError(
			`the area layer ${shown} has more than ${maxPages} pages of features; narrow it with --area-where`,
		);
	} finally {
		client.close();
	}
}
