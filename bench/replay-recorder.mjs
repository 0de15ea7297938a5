/**
 * A worker thread serving an HTTP recorder on a free loopback port: each GET is answered as `upstream` answered
 * it the first time it was asked, `latencyMs` after it was asked. In a thread of its own so that serving the
 * answers does not share the event loop of the run a figure times. Posts its URL once listening; ends on 'close'.
 */
import {Buffer} from 'node:buffer';
import {createServer} from 'node:http';
import {performance} from 'node:perf_hooks';
import {setTimeout} from 'node:timers';
import {URL} from 'node:url';
import {parentPort, workerData} from 'node:worker_threads';

const {upstream, latencyMs} = workerData;
const origin = new URL(upstream).origin;
const kept = new Map();
const server = createServer((request, response) => {
	const asked = performance.now();
	const reply = (status, type, body) =>
		setTimeout(
			() => {
				response.writeHead(status, type ? {'content-type': type} : {});
				response.end(body);
			},
			Math.max(0, latencyMs - (performance.now() - asked)),
		);
	const key = request.url ?? '/';
	const answer = kept.get(key);
	if (answer) return reply(answer.status, answer.type, answer.body);
	globalThis
		.fetch(origin + key, {method: request.method})
		.then(async (from) => {
			const fresh = {
				status: from.status,
				type: from.headers.get('content-type'),
				body: Buffer.from(await from.arrayBuffer()),
			};
			if (request.method === 'GET' && from.ok) kept.set(key, fresh);
			reply(fresh.status, fresh.type, fresh.body);
		})
		.catch((error) => reply(502, 'text/plain', Buffer.from(String(error))));
});
server.listen(0, '127.0.0.1', () => {
	const {port} = server.address();
	parentPort.postMessage(`http://127.0.0.1:${port}${new URL(upstream).pathname.replace(/\/$/, '')}`);
});
parentPort.on('message', (message) => {
	if (message === 'close') {
		server.closeAllConnections();
		server.close(() => parentPort.close());
	}
});
