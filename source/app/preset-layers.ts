/** What each layer of a preset will read, with the embedded demo service running when the preset asks for it. */
import type {Preset} from '../config/preset-schema.js';
import {describeLayers, type LayerDescription} from '../engine/sources/describe-layers.js';
import {connectServices} from './embedded-service.js';

export async function describePresetLayers(preset: Preset, signal?: AbortSignal): Promise<LayerDescription[]> {
	const connection = await connectServices(preset);
	try {
		return await describeLayers(preset, {urlRewrite: connection.urlRewrite, signal});
	} finally {
		await connection.close();
	}
}
