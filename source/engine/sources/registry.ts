/** Every kind of image source, by the preset's `layers.*.kind`: adding a kind is its folder and one line here. */
import type {LayerConfig} from '../../config/preset-schema.js';
import {arcGisSource} from './arcgis/arcgis-layer.js';
import type {ImageSource, OpenedSource, SourceContext} from './source.js';

const sources: Record<LayerConfig['kind'], ImageSource> = {
	ImageServer: arcGisSource,
	MapServer: arcGisSource,
};

export function openSource(layer: LayerConfig, context: SourceContext): Promise<OpenedSource> {
	return sources[layer.kind].open(layer, context);
}
