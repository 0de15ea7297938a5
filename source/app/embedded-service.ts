import {once} from 'node:events';
import type {Preset} from '../config/preset-schema.js';
import type {ImageServiceOptions} from '../demo/server.js';
import type {ServiceThreadMessage} from '../demo/service-thread.js';
import {loopbackRewrite} from './loopback.js';
import {startWorker, type ServiceConnection} from '../engine/index.js';

/**
 * For presets with `embeddedDemo`, the demo image service runs in a worker thread of this process on a
 * free loopback port, and the layers' loopback URLs are sent to it; other presets talk to their services
 * as written.
 */
export async function connectServices(preset: Pick<Preset, 'embeddedDemo'>): Promise<ServiceConnection> {
	if (!preset.embeddedDemo) return {close: async () => undefined};
	const service = await startServiceThread({port: 0});
	return {urlRewrite: loopbackRewrite(service.url), close: service.close};
}

/** The local image service in a worker thread of this process. */
export async function startServiceThread(
	options: ImageServiceOptions,
): Promise<{url: string; close: () => Promise<void>}> {
	const thread = startWorker(import.meta.url, '../demo/service-thread', {options});
	const [message] = (await Promise.race([
		once(thread, 'message'),
		once(thread, 'error').then(([error]) => Promise.reject(error as Error)),
	])) as [ServiceThreadMessage];
	if (message.type !== 'listening') throw new Error(`the embedded image service did not start (${message.type})`);
	return {
		url: message.url,
		close: async () => {
			thread.postMessage({type: 'close'});
			await once(thread, 'exit');
		},
	};
}
