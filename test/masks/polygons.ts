/** One mask's polygons as masks.geojson makes them (the mask as the one band of a mosaic), for tests. */
import type {Bbox} from '../../source/engine/geo/georaster.js';
import {MosaicPolygons} from '../../source/engine/masks/mosaic-polygons.js';
import {maskGeometry} from '../../source/engine/masks/vectorise.js';

export function vectoriseMask(
	mask: Uint8Array,
	width: number,
	height: number,
	bbox: Bbox,
	options: {tolerance?: number} = {},
) {
	const mosaic = new MosaicPolygons(width, height, {tolerance: options.tolerance ?? 1, tileWidth: width});
	const cellArea = ((bbox.xmax - bbox.xmin) / width) * ((bbox.ymax - bbox.ymin) / height);
	return mosaic.addBand(mask, height, undefined, 0).map((component) => ({
		geometry: maskGeometry(component.parts, bbox, width, height),
		parts: component.parts,
		pixels: component.pixels,
		area: component.pixels * cellArea,
	}));
}

/** Each class's polygons on its own, by class, then by component. */
export function vectoriseClasses(
	mask: Uint8Array,
	width: number,
	height: number,
	bbox: Bbox,
	classIds: number[],
	options: {tolerance?: number} = {},
) {
	return classIds.flatMap((classId) => {
		const ofClass = mask.map((value) => (value === classId ? 1 : 0));
		return vectoriseMask(ofClass, width, height, bbox, options).map((polygon) => ({...polygon, classId}));
	});
}
