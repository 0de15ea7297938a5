/**
 * An ArcGIS service's description (`?f=json`), as the dynamic-export and the tile-cache sources read it when
 * they open: retried while the service is busy; a wrong URL, token or service is a UserError at once.
 */
import {abortError, RunError, UserError} from '../../../errors.js';
import type {LayerName} from '../../../config/preset-schema.js';
import {redact} from '../redact.js';
import {defaultRetryPolicy, waitBeforeRetry} from '../retry.js';
import {requestUrl, type SourceContext} from '../source.js';
import {deniedError, tokenError, type TokenLayer} from '../token.js';
import {TransportError} from '../transport.js';
import {judgeJsonResponse, ResponseProblem} from './response.js';

export type DescriptionRequest<T> = {
	role: LayerName;
	layer: TokenLayer;
	token: string | undefined;
	headers?: Record<string, string>;
	/** Reads the description; an Error it throws (not a UserError) means the service is not usable. */
	parse: (json: unknown) => T;
	/** The message for a service that answers but is not what the layer needs. */
	notUsable: (what: string) => UserError;
	/** The message for a host that refuses the connection or does not exist. */
	unreachable: (error: TransportError) => UserError;
};

export async function readServiceDescription<T>(request: DescriptionRequest<T>, context: SourceContext): Promise<T> {
	const {role, layer, token, headers, parse, notUsable} = request;
	const retry = {...defaultRetryPolicy, ...context.retry};
	const signal = context.signal ?? new AbortController().signal;
	const url = `${requestUrl(context, layer.url.replace(/\/+$/, ''))}?f=json${token === undefined ? '' : `&token=${encodeURIComponent(token)}`}`;
	for (let attempt = 1; ; attempt++) {
		let reason: string;
		try {
			const response = await context.transport(url, {signal, ...(headers && {headers})});
			return parse(judgeJsonResponse(response));
		} catch (error) {
			if (signal.aborted) throw abortError(signal);
			if (error instanceof ResponseProblem) {
				if (error.kind === 'auth') throw tokenError(role, layer, error);
				if (error.kind === 'denied') throw deniedError(role, layer, error);
				if (error.kind !== 'transient') throw notUsable(error.message);
				reason = error.message;
			} else if (error instanceof TransportError) {
				// At the start, a refused connection is a wrong URL or a service that is not running, not a hiccup.
				if (error.code === 'ENOTFOUND' || error.code === 'ECONNREFUSED') throw request.unreachable(error);
				reason = error.message;
			} else if (error instanceof Error && !(error instanceof UserError) && !(error instanceof RunError)) {
				throw notUsable(error.message);
			} else {
				throw error;
			}
		}
		if (attempt > retry.retries)
			throw new UserError(
				`layers.${role}: ${layer.url} does not answer properly (${redact(reason)}, ${attempt} attempts); check that the service is up`,
			);
		context.onLog?.('warn', `layers.${role}: service description: ${redact(reason)}, retrying`);
		await waitBeforeRetry(retry, attempt, signal);
	}
}
