/**
 * What determines a fetched tile's pixels: the layer's source fingerprint (its own fields, see
 * ImageSource.fingerprint) plus the tile's place and size. Stored in the manifest with each tile; a tile
 * whose stored fingerprint differs from the current one is fetched again, and the differing fields are
 * named.
 */
import type {LayerName} from '../../config/preset-schema.js';
import type {Tile} from '../geo/plan.js';

/** The source's share of a fingerprint: preset fields of the layer, by name (layers.<role>.<name>). */
export type LayerFingerprint = Record<string, unknown>;

export type TileFingerprint = LayerFingerprint & {
	bbox: [number, number, number, number];
	size: [number, number];
	crs: string;
};

const tileFields = ['bbox', 'size', 'crs'] as const;

export function tileFingerprint(layer: LayerFingerprint, tile: Tile, crs: string): TileFingerprint {
	return {
		...layer,
		bbox: [tile.bbox.xmin, tile.bbox.ymin, tile.bbox.xmax, tile.bbox.ymax],
		size: [tile.width, tile.height],
		crs,
	};
}

/** Names of what changed, in preset terms (layers.dsm.url, bbox, crs); empty when nothing did. */
export function fingerprintChanges(layerName: LayerName, stored: unknown, current: TileFingerprint): string[] {
	const old = (typeof stored === 'object' && stored !== null ? stored : {}) as Record<string, unknown>;
	const differs = (field: string) => JSON.stringify(old[field] ?? null) !== JSON.stringify(current[field] ?? null);
	const isTileField = (field: string) => (tileFields as readonly string[]).includes(field);
	const layerFields = [...new Set([...Object.keys(current), ...Object.keys(old)])].filter(
		(field) => !isTileField(field),
	);
	return [...layerFields.filter(differs).map((field) => `layers.${layerName}.${field}`), ...tileFields.filter(differs)];
}
