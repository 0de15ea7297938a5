/**
 * The fetcher's HTTP: got over keep-alive agents, one attempt per call (the ArcGIS client decides about
 * retries), every request through two p-queues: a global one (concurrency.downloads) and one per host
 * (concurrency.perHost).
 */
import http from 'node:http';
import https from 'node:https';
import got, {RequestError} from 'got';
import PQueue from 'p-queue';
import {TransportError, type HttpResponse, type Transport} from './transport.js';
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
		followRedirect: true,
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
		signal: AbortSignal,
		onBytes?: (received: number, total?: number) => void,
	): Promise<HttpResponse> => {
		try {
			const request = client.get(url, {signal});
			if (onBytes) request.on('downloadProgress', (progress) => onBytes(progress.transferred, progress.total));
			const response = await request;
			const contentType = response.headers['content-type'];
			return {status: response.statusCode, contentType, body: response.rawBody};
		} catch (error) {
			if (signal.aborted) throw abortError(signal);
			if (error instanceof RequestError) throw new TransportError(`${error.code}: ${error.message}`, error.code);
			throw error;
		}
	};

	// The host slot is taken before the global one, so a host at its limit never holds a global slot idle.
	const transport: Transport = async (url, {signal, onBytes}) => {
		if (signal.aborted) throw abortError(signal);
		try {
			return await hostQueue(new URL(url).host).add(() => downloads.add(() => once(url, signal, onBytes), {signal}), {
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
