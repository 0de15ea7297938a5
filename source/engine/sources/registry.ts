/** Every kind of image source, by the preset's `layers.*.kind`: adding a kind is its folder and one line here. */
import type {LayerConfig} from '../../config/preset-schema.js';
import {arcGisSource} from './arcgis/arcgis-layer.js';
import {fileSource} from './file/file-layer.js';
import {tilesSource} from './tiles/tiles-layer.js';
import type {ImageSource, OpenedSource, SourceContext} from './source.js';

type Kind = LayerConfig['kind'];

const sources: {[K in Kind]: ImageSource<Extract<LayerConfig, {kind: K}>>} = {
	ImageServer: arcGisSource,
	MapServer: arcGisSource,
	tiles: tilesSource,
	file: fileSource,
};

export function openSource(layer: LayerConfig, context: SourceContext): Promise<OpenedSource> {
	return (sources[layer.kind] as ImageSource).open(layer, context);
}
