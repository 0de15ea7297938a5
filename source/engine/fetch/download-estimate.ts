import type {Preset} from '../../config/preset-schema.js';

/** Bytes a download of `tiles` tiles costs: RGB 3 B/px, DSM float32 4 B/px (uncompressed). */
export function downloadEstimate(preset: Pick<Preset, 'tileSize' | 'layers'>, tiles: number): number {
	const perPixel = 3 + (preset.layers.dsm ? 4 : 0);
	return tiles * preset.tileSize * preset.tileSize * perPixel;
}
