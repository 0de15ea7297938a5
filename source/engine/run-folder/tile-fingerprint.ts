/**
 * What determines a fetched tile's pixels. Stored in the manifest with each tile; a tile whose stored
 * fingerprint differs from the current one is fetched again, and the differing fields are named.
 * The layer URL is the preset's, not the rewritten one (the embedded service's port changes every run).
 */
import type {LayerConfig, LayerName} from '../../config/preset-schema.js';
import type {Tile} from '../geo/plan.js';

export type TileFingerprint = {
	url: string;
	kind: LayerConfig['kind'];
	bandIds: number[] | null;
	pixelType: LayerConfig['pixelType'];
	nodata: number | null;
	interpolation: LayerConfig['interpolation'];
	bbox: [number, number, number, number];
	size: [number, number];
	crs: string;
};

const layerFields = ['url', 'kind', 'bandIds', 'pixelType', 'nodata', 'interpolation'] as const;
const tileFields = ['bbox', 'size', 'crs'] as const;

export function tileFingerprint(layer: LayerConfig, nodata: number | undefined, tile: Tile, crs: string): TileFingerprint {
	return {
		url: layer.url,
		kind: layer.kind,
		bandIds: layer.bandIds ?? null,
		pixelType: layer.pixelType,
		nodata: nodata ?? null,
		interpolation: layer.interpolation,
		bbox: [tile.bbox.xmin, tile.bbox.ymin, tile.bbox.xmax, tile.bbox.ymax],
		size: [tile.width, tile.height],
		crs,
	};
}

/** Names of what changed, in preset terms (layers.dsm.url, bbox, crs); empty when nothing did. */
export function fingerprintChanges(layerName: LayerName, stored: unknown, current: TileFingerprint): string[] {
	const old = (typeof stored === 'object' && stored !== null ? stored : {}) as Record<string, unknown>;
	const differs = (field: keyof TileFingerprint) => JSON.stringify(old[field] ?? null) !== JSON.stringify(current[field]);
	return [
		...layerFields.filter(differs).map((field) => `layers.${layerName}.${field}`),
		...tileFields.filter(differs),
	];
}
