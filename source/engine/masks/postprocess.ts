import {foregroundConnectivity, labelComponents} from './components.js';

export type PostprocessSettings = {
	/** Drop foreground components smaller than this, in square map units (0: keep all). */
	minArea: number;
	/** Fill holes smaller than this, in square map units (0: fill none). */
	fillHoles: number;
};

/** Post-processes one tile's foreground (0/1) in place, knowing the rest of the mosaic; `unknown`: no data or outside the area. */
export type TilePostprocess = (
	foreground: Uint8Array,
	width: number,
	height: number,
	unknown: Uint8Array | undefined,
) => PostprocessReport;

export type PostprocessReport = {
	removedComponents: number;
	removedPixels: number;
	filledHoles: number;
	filledPixels: number;
};

/**
 * Removes small foreground components (8-connected), then fills small holes: background regions
 * (4-connected) that do not touch the tile's edge, since a region cut by the edge may continue in
 * the neighbour and is not known to be a hole. Both limits are compared as areas: pixels × cellArea.
 * Works in place on `mask` (0/1).
 */
export function postprocessMask(
	mask: Uint8Array,
	width: number,
	height: number,
	settings: PostprocessSettings,
	cellArea: number,
): PostprocessReport {
	const report: PostprocessReport = {removedComponents: 0, removedPixels: 0, filledHoles: 0, filledPixels: 0};
	if (settings.minArea > 0) {
		const {labels, count, sizes} = labelComponents(mask, width, height, {
			value: 1,
			connectivity: foregroundConnectivity,
		});
		const drop = new Uint8Array(count + 1);
		for (let label = 1; label <= count; label++) {
			if (sizes[label] * cellArea < settings.minArea) {
				drop[label] = 1;
				report.removedComponents++;
				report.removedPixels += sizes[label];
			}
		}
		if (report.removedComponents > 0) for (let i = 0; i < mask.length; i++) if (drop[labels[i]]) mask[i] = 0;
	}
	if (settings.fillHoles > 0) {
		const {labels, count, sizes, touchesEdge} = labelComponents(mask, width, height, {value: 0, connectivity: 4});
		const fill = new Uint8Array(count + 1);
		for (let label = 1; label <= count; label++) {
			if (!touchesEdge[label] && sizes[label] * cellArea < settings.fillHoles) {
				fill[label] = 1;
				report.filledHoles++;
				report.filledPixels += sizes[label];
			}
		}
		if (report.filledHoles > 0) for (let i = 0; i < mask.length; i++) if (fill[labels[i]]) mask[i] = 1;
	}
	return report;
}
