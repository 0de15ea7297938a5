/**
 * The local ArcGIS-compatible image service (DESIGN §3.2): a node:http server on loopback that answers
 * `/arcgis/rest/services/<Name>/ImageServer` (`?f=json`, `exportImage`) and `.../MapServer` (`?f=json`,
 * `export`) for the demo scene and for GeoTIFF files, with the habits of a real ArcGIS Server (HTTP 200
 * error bodies, tokens, aspect-ratio adjustment) and switchable faults.
 */
import {randomBytes, timingSafeEqual} from 'node:crypto';
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {Socket} from 'node:net';
import {setTimeout as delay} from 'node:timers/promises';
import {ArcGisFault, formatFor, runExport, type ExportResult} from './export.js';
import {FaultPlan, type Faults} from './faults.js';
import {
	demoServices,
	imageServerInfo,
	mapServerInfo,
	demoExtent,
	rasterService,
	spatialReferenceJson,
	type ServiceDef,
} from './services.js';
import {messageOf} from '../errors.js';
import {featureServiceAnswer} from './feature-service.js';
import {tileAnswer, xyzCache, type TileCacheDef} from './tiles.js';

export type {Faults} from './faults.js';

export type ImageServiceOptions = {
	/** 0 (the default) picks a free port. */
	port?: number;
	host?: '127.0.0.1';
	/** GeoTIFF files, each served as `<file stem>/ImageServer`. */
	rasters?: string[];
	/** When set, every service wants this token (query `token=` or an `Authorization`/`X-Esri-Authorization: Bearer` header). */
	token?: string;
	faults?: Faults;
	/** Serve the demo scene's services (default true). */
	demo?: boolean;
};

export type ImageService = {
	/** `http://127.0.0.1:PORT/arcgis/rest/services` */
	url: string;
	port: number;
	services: Array<{name: string; kind: ServiceDef['kind']; url: string; tiles?: string}>;
	/** The XYZ and TMS templates of the demo imagery; empty without the demo. */
	tileTemplates: string[];
	setFaults(faults: Faults): void;
	requestCount(): number;
	close(): Promise<void>;
};

const servicesRoot = '/arcgis/rest/services';
const outputRoot = '/arcgis/rest/directories/arcgisoutput';
/** The f=json exports kept for their href, oldest out first: at most this many, and this many bytes together. */
const keptOutputs = 256;
const keptOutputBytes = 256 * 1024 * 1024;
const currentVersion = 10.91;

type Answer = {status: number; contentType: string; body: Uint8Array | string};

export async function startImageService(options: ImageServiceOptions = {}): Promise<ImageService> {
	const services: ServiceDef[] = options.demo === false ? [] : demoServices();
	for (const file of options.rasters ?? []) {
		const service = await rasterService(file);
		if (services.some((known) => known.name === service.name && known.kind === service.kind)) {
			throw new Error(`two services would be called ${service.name}/ImageServer; rename ${file}`);
		}
		services.push(service);
	}
	const faults = new FaultPlan(options.faults);
	/** The XYZ route serves the demo imagery (when the demo is served). */
	const xyzSource = services.find((service) => service.name === 'Demo/Imagery' && service.kind === 'MapServer')?.source;
	const demoXyz: TileCacheDef = xyzCache(demoExtent);
	const outputs = new Map<string, {bytes: Uint8Array; contentType: string}>();
	let outputBytes = 0;
	const sockets = new Set<Socket>();
	let requests = 0;

	const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
		requests++;
		const action = faults.next();
		const latency = faults.latencyMs();
		if (latency > 0) await delay(latency);
		if (action.kind === 'stall') return;
		if (action.kind === 'error') {
			send(response, {
				status: action.status,
				contentType: 'text/html',
				body: `<html><body><h1>${action.status}</h1><p>The server could not handle the request.</p></body></html>`,
			});
			return;
		}
		const url = new URL(request.url ?? '/', 'http://127.0.0.1');
		let params: Map<string, string>;
		try {
			params = await readParameters(request, url);
		} catch (error) {
			if (!(error instanceof RequestRefused)) throw error;
			send(response, {...badRequest(error.message), status: error.status}, {close: true});
			return;
		}
		let answer: Answer;
		try {
			answer = action.kind === 'errorBody' ? errorBodyFault(url.pathname) : await route(url.pathname, params, request);
		} catch (error) {
			const detail = messageOf(error);
			answer = json(new ArcGisFault(500, 'Error exporting image', [detail]).toJSON());
		}
		if (action.kind === 'truncate') {
			truncate(response, answer);
			return;
		}
		send(response, answer);
	};

	const route = async (pathname: string, params: Map<string, string>, request: IncomingMessage): Promise<Answer> => {
		let path: string;
		try {
			path = decodeURIComponent(pathname).replace(/\/+$/, '');
		} catch {
			return badRequest(`the path has a malformed percent-escape: ${pathname.slice(0, 200)}`);
		}
		if (path.startsWith(`${outputRoot}/`)) {
			const output = outputs.get(path.slice(outputRoot.length + 1));
			return output ? {status: 200, contentType: output.contentType, body: output.bytes} : notFound(path);
		}
		if (path === servicesRoot) return json(catalog(''), params);
		const xyz = /^\/tiles\/(demo|demo-tms)\/([^/]+)\/([^/]+)\/([^/]+)\.png$/.exec(path);
		if (xyz && xyzSource) {
			const [, scheme, z, x, y] = xyz;
			// An XYZ server answers for its key with HTTP status codes, not ArcGIS error bodies.
			const denied = checkToken(options.token, params, request);
			if (denied) return {status: denied.code === 499 ? 401 : 403, contentType: 'text/plain', body: denied.message};
			// TMS counts rows from the south: row = 2^z - 1 - y.
			const level = Number(z);
			const row =
				scheme === 'demo-tms' && /^\d{1,9}$/.test(y) && /^\d{1,2}$/.test(z) ? String(2 ** level - 1 - Number(y)) : y;
			if (row.startsWith('-')) return {status: 404, contentType: 'text/plain', body: 'Not Found'};
			return tileAnswer(xyzSource, demoXyz, z, row, x, {json: false});
		}
		if (!path.startsWith(`${servicesRoot}/`)) return notFound(path);
		const rest = path.slice(servicesRoot.length + 1);
		if (/\/FeatureServer(\/|$)/.test(rest) && options.demo !== false) {
			const denied = checkToken(options.token, params, request);
			if (denied) return json(denied.toJSON());
			const answer = await featureServiceAnswer(rest, params);
			return answer === undefined ? notFound(path) : json(answer, params);
		}
		const tile = /^(.+)\/(ImageServer|MapServer)\/tile\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(rest);
		if (tile) {
			const [, name, kind, level, row, col] = tile;
			const service = services.find((candidate) => candidate.name === name && candidate.kind === kind);
			if (!service) return notFound(path);
			const denied = checkToken(options.token, params, request);
			if (denied) return json(denied.toJSON());
			if (!service.tileCache)
				return json(
					new ArcGisFault(400, 'Unable to complete operation.', [
						`${name}/${kind} is not a cached service: it has no tiles (use ${kind === 'ImageServer' ? 'exportImage' : 'export'}).`,
					]).toJSON(),
				);
			return tileAnswer(service.source, service.tileCache, level, row, col, {json: true});
		}
		const match = /^(.+)\/(ImageServer|MapServer)(?:\/([^/]+))?$/.exec(rest);
		if (!match) {
			const folder = catalog(rest);
			return folder ? json(folder, params) : notFound(path);
		}
		const [, name, kind, operation] = match;
		const service = services.find((candidate) => candidate.name === name && candidate.kind === kind);
		if (!service) return notFound(path);
		const denied = checkToken(options.token, params, request);
		if (denied) return json(denied.toJSON());
		if (operation === undefined)
			return json(kind === 'ImageServer' ? imageServerInfo(service) : mapServerInfo(service), params);
		const exportName = kind === 'ImageServer' ? 'exportimage' : 'export';
		if (operation.toLowerCase() !== exportName) {
			return json(
				new ArcGisFault(400, 'Unable to complete operation.', [
					`'${operation}' is not an operation of ${kind} (try ${kind === 'ImageServer' ? 'exportImage' : 'export'}).`,
				]).toJSON(),
			);
		}
		return exportAnswer(service, params, request);
	};

	const exportAnswer = async (
		service: ServiceDef,
		params: Map<string, string>,
		request: IncomingMessage,
	): Promise<Answer> => {
		// ArcGIS defaults to an HTML page; this service has none and streams the image instead.
		const f = (params.get('f') ?? 'image').toLowerCase();
		let result: ExportResult;
		try {
			result = await runExport(service, params);
		} catch (error) {
			if (!(error instanceof ArcGisFault)) throw error;
			// Real servers label such answers as the image asked for (measured: image/tiff); only the body tells.
			return {
				status: error.httpStatus,
				contentType: f === 'image' ? errorContentType(params, service) : 'application/json',
				body: JSON.stringify(error.toJSON()),
			};
		}
		if (f === 'json' || f === 'pjson') {
			const id = `${service.name.replaceAll('/', '_')}_${service.kind}/_ags_${randomBytes(12).toString('hex')}.${result.extension}`;
			outputs.set(id, {bytes: result.bytes, contentType: result.contentType});
			outputBytes += result.bytes.byteLength;
			for (const [old, output] of outputs) {
				if (outputs.size <= keptOutputs && outputBytes <= keptOutputBytes) break;
				outputs.delete(old);
				outputBytes -= output.bytes.byteLength;
			}
			const host = request.headers.host ?? `127.0.0.1:${port}`;
			return json(
				{
					href: `http://${host}${outputRoot}/${id}`,
					width: result.width,
					height: result.height,
					extent: {...result.extent, spatialReference: spatialReferenceJson(result.epsg)},
					scale: result.scale,
				},
				params,
			);
		}
		return {status: 200, contentType: result.contentType, body: result.bytes};
	};

	const catalog = (folder: string): Record<string, unknown> | undefined => {
		const prefix = folder === '' ? '' : `${folder}/`;
		const inside = services.filter((service) => service.name.startsWith(prefix));
		if (folder !== '' && inside.length === 0) return undefined;
		const folders = [
			...new Set(
				inside
					.map((service) => service.name.slice(prefix.length))
					.filter((name) => name.includes('/'))
					.map((name) => `${prefix}${name.split('/')[0]}`),
			),
		];
		const listed = inside
			.filter((service) => !service.name.slice(prefix.length).includes('/'))
			.map((service) => ({name: service.name, type: service.kind}));
		return {currentVersion, folders, services: listed};
	};

	const server = createServer((request, response) => {
		handle(request, response).catch((error: unknown) => {
			if (!response.headersSent)
				send(response, json(new ArcGisFault(500, 'Internal server error', [String(error)]).toJSON()));
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	const host = options.host ?? '127.0.0.1';
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	const url = `http://${host}:${port}${servicesRoot}`;
	return {
		url,
		port,
		services: services.map((service) => ({
			name: service.name,
			kind: service.kind,
			url: `${url}/${service.name}/${service.kind}`,
			...(service.tileCache && {tiles: `${url}/${service.name}/${service.kind}/tile/{level}/{row}/{col}`}),
		})),
		tileTemplates: xyzSource
			? [`http://${host}:${port}/tiles/demo/{z}/{x}/{y}.png`, `http://${host}:${port}/tiles/demo-tms/{z}/{x}/{-y}.png`]
			: [],
		setFaults: (next) => faults.set(next),
		requestCount: () => requests,
		close: () =>
			new Promise<void>((resolve, reject) => {
				server.close((error) => (error ? reject(error) : resolve()));
				for (const socket of sockets) socket.destroy();
			}),
	};
}

/** What the service accepts, as a web server in front of ArcGIS Server caps it. */
const largestQuery = 8 * 1024;
const largestBody = 1024 * 1024;

/** A request refused before it reaches a service: HTTP 400 or 413 with an ArcGIS error body. */
class RequestRefused extends Error {
	constructor(
		readonly status: 400 | 413,
		message: string,
	) {
		super(message);
	}
}

async function readBody(request: IncomingMessage): Promise<string> {
	if (Number(request.headers['content-length'] ?? 0) > largestBody)
		throw new RequestRefused(413, `the request body is over ${largestBody} bytes`);
	const chunks: Buffer[] = [];
	let bytes = 0;
	for await (const chunk of request) {
		bytes += (chunk as Buffer).length;
		if (bytes > largestBody) throw new RequestRefused(413, `the request body is over ${largestBody} bytes`);
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks).toString('utf8');
}

/**
 * Query parameters and, for POST, form fields; names are case-insensitive as on ArcGIS Server. A query
 * over 8 KiB, a body over 1 MiB or a parameter given twice is refused (RequestRefused).
 */
async function readParameters(request: IncomingMessage, url: URL): Promise<Map<string, string>> {
	if (url.search.length > largestQuery)
		throw new RequestRefused(400, `the query string is over ${largestQuery} characters`);
	const params = new Map<string, string>();
	const add = (fields: URLSearchParams) => {
		for (const [key, value] of fields) {
			const name = key.toLowerCase();
			if (params.has(name)) throw new RequestRefused(400, `'${key.slice(0, 100)}' is given more than once`);
			params.set(name, value);
		}
	};
	add(url.searchParams);
	if (request.method === 'POST') add(new URLSearchParams(await readBody(request)));
	return params;
}

function checkToken(
	expected: string | undefined,
	params: Map<string, string>,
	request: IncomingMessage,
): ArcGisFault | undefined {
	if (expected === undefined) return undefined;
	const header = request.headers['x-esri-authorization'] ?? request.headers.authorization;
	const bearer = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header)?.[1] : undefined;
	const given = params.get('token') ?? bearer;
	if (given === undefined || given === '') return new ArcGisFault(499, 'Token Required');
	const a = Buffer.from(given);
	const b = Buffer.from(expected);
	if (a.length !== b.length || !timingSafeEqual(a, b)) return new ArcGisFault(498, 'Invalid Token');
	return undefined;
}

function errorContentType(params: Map<string, string>, service: ServiceDef): string {
	try {
		const {format} = formatFor(params.get('format'), service.kind);
		return format === 'tiff' ? 'image/tiff' : format === 'jpg' ? 'image/jpeg' : 'image/png';
	} catch {
		return 'application/json';
	}
}

function errorBodyFault(pathname: string): Answer {
	const exporting = /\/export(image)?$/i.test(pathname);
	return json(
		new ArcGisFault(500, exporting ? 'Error exporting image' : 'Unable to complete operation.', [
			'The server is busy; try again later.',
		]).toJSON(),
	);
}

function badRequest(detail: string): Answer {
	return {
		status: 400,
		contentType: 'application/json',
		body: JSON.stringify(new ArcGisFault(400, 'Unable to complete operation.', [detail]).toJSON()),
	};
}

function notFound(path: string): Answer {
	return {
		status: 404,
		contentType: 'application/json',
		body: JSON.stringify(
			new ArcGisFault(404, 'Service not found', [`Nothing at ${path}. Services: ${servicesRoot}?f=json`]).toJSON(),
		),
	};
}

function json(value: unknown, params?: Map<string, string>): Answer {
	const pretty = params?.get('f')?.toLowerCase() === 'pjson';
	return {
		status: 200,
		contentType: 'application/json; charset=utf-8',
		body: JSON.stringify(value, null, pretty ? 2 : undefined),
	};
}

/** `close`: the rest of the request is not read, so the connection cannot carry another. */
function send(response: ServerResponse, answer: Answer, options: {close?: boolean} = {}): void {
	const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
	response.writeHead(answer.status, {
		'Content-Type': answer.contentType,
		'Content-Length': body.length,
		...(options.close && {Connection: 'close'}),
	});
	response.end(body);
}

/** Announces the whole body, sends half of it and drops the connection. */
function truncate(response: ServerResponse, answer: Answer): void {
	const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
	response.writeHead(answer.status, {'Content-Type': answer.contentType, 'Content-Length': body.length});
	response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.socket?.destroy());
}
