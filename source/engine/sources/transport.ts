/**
 * What the ArcGIS client needs from HTTP: one GET, one attempt, the whole body. Retries, splitting and
 * judging the answer are the client's job; scheduling (concurrency, per-host limits, keep-alive) and the
 * wire (got) are the fetcher's, so this module stays free of both.
 */
export type HttpResponse = {
	status: number;
	contentType?: string;
	/** The Content-Range of a 206 answer to a Range request (files read by window). */
	contentRange?: string;
	body: Uint8Array;
};

export type TransportRequest = {
	signal: AbortSignal;
	/** Bytes received so far for this response, and the total when the server announced it. */
	onBytes?: (received: number, total?: number) => void;
	/** The most bytes the answer may have, on the wire and decompressed; default `defaultMaxBodyBytes`. */
	maxBytes?: number;
	/** Extra request headers (an API key): values are secrets, registered for redaction by whoever sets them. */
	headers?: Record<string, string>;
};

/** Service descriptions and error pages are kilobytes; nothing deepmask asks for without a size is larger. */
export const defaultMaxBodyBytes = 16 * 1024 * 1024;

/** TransportError code of an answer over its maxBytes (an endless body, a decompression bomb). */
export const bodyTooLarge = 'ERR_BODY_TOO_LARGE';

export type Transport = (url: string, request: TransportRequest) => Promise<HttpResponse>;

/** A request that got no complete HTTP answer: DNS, connection, timeout, reset, truncated body. */
export class TransportError extends Error {
	override name = 'TransportError';
	constructor(
		message: string,
		/** Node/got error code: ENOTFOUND, ECONNREFUSED, ETIMEDOUT, ECONNRESET, ERR_STREAM_PREMATURE_CLOSE... */
		readonly code: string,
	) {
		super(message);
	}
}

/** TransportError code of a redirect to another server, not followed (the request may carry a token). */
export const crossServerRedirect = 'ERR_CROSS_SERVER_REDIRECT';
