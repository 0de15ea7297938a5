/** Esri's REST reference for the export operations the client uses: what a request may hold. */
import {expect} from 'vitest';

/** Esri's REST reference: the parameters of each export operation, and the formats it lists. */
const reference = {
	exportImage: {
		parameters: [
			'bbox',
			'bboxSR',
			'size',
			'imageSR',
			'time',
			'format',
			'pixelType',
			'noData',
			'noDataInterpretation',
			'interpolation',
			'compression',
			'compressionQuality',
			'bandIds',
			'mosaicRule',
			'renderingRule',
			'adjustAspectRatio',
			'lercVersion',
			'compressionTolerance',
			'f',
			'token',
		],
		formats: ['jpgpng', 'png', 'png8', 'png24', 'jpg', 'bmp', 'gif', 'tiff', 'png32', 'bip', 'bsq', 'lerc'],
		pixelTypes: ['C128', 'C64', 'F32', 'F64', 'S16', 'S32', 'S8', 'U1', 'U16', 'U2', 'U32', 'U4', 'U8', 'UNKNOWN'],
	},
	export: {
		parameters: [
			'bbox',
			'bboxSR',
			'size',
			'dpi',
			'imageSR',
			'format',
			'layerDefs',
			'layers',
			'transparent',
			'time',
			'layerTimeOptions',
			'dynamicLayers',
			'gdbVersion',
			'mapScale',
			'rotation',
			'datumTransformations',
			'mapRangeValues',
			'layerParameterValues',
			'historicMoment',
			'f',
			'token',
		],
		formats: ['png', 'png8', 'png24', 'png32', 'jpg', 'pdf', 'bmp', 'gif', 'svg', 'svgz', 'emf', 'ps'],
	},
} as const;

/** Every parameter of `url` and its format (and pixel type) are ones Esri lists for the operation. */
export function expectListedByEsri(url: URL): void {
	const operation = url.pathname.endsWith('/exportImage') ? 'exportImage' : 'export';
	const allowed = reference[operation];
	for (const name of url.searchParams.keys()) expect(allowed.parameters).toContain(name);
	expect(allowed.formats).toContain(url.searchParams.get('format'));
	if (operation === 'exportImage' && url.searchParams.has('pixelType'))
		expect(reference.exportImage.pixelTypes).toContain(url.searchParams.get('pixelType'));
}
