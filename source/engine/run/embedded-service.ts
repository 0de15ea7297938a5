import type {Preset} from '../../config/preset-schema.js';
import {loopbackRewrite} from '../sources/loopback.js';

export type ServiceConnection = {urlRewrite?: (url: string) => string; close: () => Promise<void>};

/**
 * For presets with `embeddedDemo`, the demo image service runs in this process on a free loopback port and
 * the layers' loopback URLs are sent to it; other presets talk to their services as written.
 */
export async function connectServices(preset: Pick<Preset, 'embeddedDemo'>): Promise<ServiceConnection> {
	if (!preset.embeddedDemo) return {close: async () => undefined};
	const {startImageService} = await import('../../demo/server.js');
	const service = await startImageService({port: 0});
	return {urlRewrite: loopbackRewrite(service.url), close: () => service.close()};
}
