/** What a format reader gives back: the features it selected, with the layer's CRS. */

/** A GeoJSON geometry as the readers produce it; only polygons make an area. */
export type LayerGeometry = {type: string; coordinates?: unknown; geometries?: unknown};

export type LayerFeature = {
	/** How messages name it: "feature 3 (NAME=Olinda)". */
	name: string;
	geometry: LayerGeometry | null;
};

export type LayerCrs = {crs: string; crsDefinition?: string};

export type ReadLayer = LayerCrs & {
	/** The features the filter selected (all without one). */
	features: LayerFeature[];
	/** Features in the layer before the filter; undefined where the server filters (a feature service). */
	total?: number;
};

/** "feature 3 (NAME=Olinda)": its position in the layer and its first text attribute, to find it in a GIS. */
export function featureName(position: number, properties: Record<string, unknown> | null | undefined): string {
	const named = Object.entries(properties ?? {}).find(([, value]) => typeof value === 'string' && value !== '');
	return `feature ${position}${named ? ` (${named[0]}=${String(named[1]).slice(0, 60)})` : ''}`;
}
