/**
 * The fetcher's HTTP: got over keep-alive agents, one attempt per call (the ArcGIS client decides about
 * retries), every request through two p-queues: a global one (concurrency.downloads) and one per host
 * (concurrency.perHost).
 */
import http from 'node:http';
import https from 'node:https';
import got, {RequestError} from 'got';
import PQueue from 'p-queue';
import {promisify} from 'node:util';
import zlib from 'node:zlib';
import {
	bodyTooLarge,
	crossServerRedirect,
	defaultMaxBodyBytes,
	TransportError,
	type HttpResponse,
	type Transport,
	type TransportRequest,
} from './transport.js';
import {abortError} from '../../errors.js';

export type HttpSettings = {
	downloads: number;
	perHost: number;
	/** Whole request, first byte to last (ms). */
	timeoutMs?: number;
	/** No data on the socket for this long (ms): a stall. */
	idleTimeoutMs?: number;
};

export const defaultTimeouts = {timeoutMs: 120_000, idleTimeoutMs: 30_000};

const inflaters: Record<string, (body: Buffer, options: zlib.ZlibOptions) => Promise<Buffer>> = {
	gzip: promisify(zlib.gunzip),
	'x-gzip': promisify(zlib.gunzip),
	deflate: promisify(zlib.inflate),
	br: promisify(zlib.brotliDecompress),
};

/** The body as sent before its Content-Encoding, inflated no further than maxBytes (ERR_BUFFER_TOO_LARGE past it). */
async function decompress(body: Buffer, encoding: string | undefined, maxBytes: number): Promise<Uint8Array> {
	const inflate = encoding ? inflaters[encoding.trim().toLowerCase()] : undefined;
	return inflate ? inflate(body, {maxOutputLength: maxBytes}) : body;
}

/** A redirect stays on the service's host (http → https on it is fine); elsewhere it could take the token along. */
function sameService(from: string, to: string | undefined): boolean {
	if (!to) return false;
	const source = new URL(from);
	const target = new URL(to, from);
	return target.host === source.host && (target.protocol === source.protocol || target.protocol === 'https:');
}

export type HttpClient = {transport: Transport; close: () => void};

export function createHttpClient(settings: HttpSettings): HttpClient {
	const agent = {
		http: new http.Agent({keepAlive: true, maxSockets: settings.perHost}),
		https: new https.Agent({keepAlive: true, maxSockets: settings.perHost}),
	};
	const client = got.extend({
		agent,
		retry: {limit: 0},
		throwHttpErrors: false,
		followRedirect: (response) => sameService(response.url, response.headers.location),
		responseType: 'buffer',
		timeout: {
			request: settings.timeoutMs ?? defaultTimeouts.timeoutMs,
			socket: settings.idleTimeoutMs ?? defaultTimeouts.idleTimeoutMs,
		},
		headers: {'user-agent': 'deepmask'},
	});
	const downloads = new PQueue({concurrency: settings.downloads});
	const hosts = new Map<string, PQueue>();
	const hostQueue = (host: string) => {
		let queue = hosts.get(host);
		if (!queue) {
			queue = new PQueue({concurrency: settings.perHost});
			hosts.set(host, queue);
		}
		return queue;
	};

	const once = async (
		url: string,
		{signal, onBytes, maxBytes = defaultMaxBodyBytes, headers}: TransportRequest,
	): Promise<HttpResponse> => {
		let oversized = false;
		try {
			// Decompressed here, not by got, so that neither the wire nor the inflated body can pass maxBytes.
			const request = client.get(url, {signal, decompress: false, ...(headers && {headers})});
			request.on('downloadProgress', (progress) => {
				if (progress.transferred > maxBytes || (progress.total ?? 0) > maxBytes) {
					oversized = true;
					request.cancel();
					return;
				}
				onBytes?.(progress.transferred, progress.total);
			});
			const response = await request;
			const {location} = response.headers;
			if (response.statusCode >= 300 && response.statusCode < 400 && location)
				throw new TransportError(
					`a redirect to ${new URL(location, url).origin}, another server than the service's, which deepmask does not follow (the request may carry a token); set the layer's url to the service's own address`,
					crossServerRedirect,
				);
			const contentType = response.headers['content-type'];
			const body = await decompress(response.rawBody, response.headers['content-encoding'], maxBytes);
			const contentRange = response.headers['content-range'];
			return {status: response.statusCode, contentType, body, ...(contentRange !== undefined && {contentRange})};
		} catch (error) {
			if (signal.aborted) throw abortError(signal);
			if (oversized || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
				throw new TransportError(`an answer of more than ${maxBytes} bytes, far more than was asked for`, bodyTooLarge);
			if (error instanceof RequestError) throw new TransportError(`${error.code}: ${error.message}`, error.code);
			throw error;
		}
	};

	// The host slot is taken before the global one, so a host at its limit never holds a global slot idle.
	const transport: Transport = async (url, request) => {
		const {signal} = request;
		if (signal.aborted) throw abortError(signal);
		try {
			return await hostQueue(new URL(url).host).add(() => downloads.add(() => once(url, request), {signal}), {
				signal,
			});
		} catch (error) {
			if (signal.aborted) throw abortError(signal);
			throw error;
		}
	};

	return {
		transport,
		close: () => {
			agent.http.destroy();
			agent.https.destroy();
		},
	};
}
