import {createServer, type IncomingMessage} from 'node:http';

export type Answer = {status: number; contentType: string; body: string | Uint8Array};

export type ProxyHooks = {
	/** Answer a request instead of the upstream (sees how many export requests came, this one included). */
	intercept?: (url: URL, exportNumber: number) => Answer | undefined;
	/** Change an upstream answer before it is sent on. */
	rewrite?: (url: URL, answer: Answer) => Answer;
	/** Never answer this request (the connection stays open until the client or `close` ends it). */
	stall?: (url: URL, exportNumber: number) => boolean;
};

/** A loopback proxy in front of a service, for behaviours the demo service does not have. */
export async function startProxy(upstream: string, hooks: ProxyHooks) {
	const origin = new URL(upstream).origin;
	const exportSizes: string[] = [];
	const server = createServer((request: IncomingMessage, response) => {
		const url = new URL(request.url ?? '/', origin);
		const send = (answer: Answer) => {
			response.writeHead(answer.status, {'Content-Type': answer.contentType});
			response.end(answer.body);
		};
		void (async () => {
			if (/\/export(Image)?$/i.test(url.pathname)) exportSizes.push(url.searchParams.get('size') ?? '');
			if (hooks.stall?.(url, exportSizes.length)) return;
			const custom = hooks.intercept?.(url, exportSizes.length);
			if (custom) return send(custom);
			const upstreamResponse = await fetch(url);
			const answer = {
				status: upstreamResponse.status,
				contentType: upstreamResponse.headers.get('content-type') ?? 'application/octet-stream',
				body: new Uint8Array(await upstreamResponse.arrayBuffer()),
			};
			send(hooks.rewrite ? hooks.rewrite(url, answer) : answer);
		})().catch((error: unknown) => send({status: 500, contentType: 'text/plain', body: String(error)}));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return {
		url: `http://127.0.0.1:${port}/arcgis/rest/services`,
		/** The `size` of every export request so far. */
		exports: exportSizes,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
