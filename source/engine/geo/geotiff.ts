/**
 * GeoTIFF codec for the whole project: `GeoRaster` ⇄ bytes, georeferenced so that GDAL reports the
 * exact geotransform (ModelPixelScale + ModelTiepoint, PixelIsArea), the CRS (EPSG GeoKeys),
 * NoData (GDAL_NODATA) and a palette when there is one. Writing uses our own TIFF writer
 * (see tiff-writer.ts for why), reading uses geotiff.js.
 */
import {readFile} from 'node:fs/promises';
import {endianness} from 'node:os';
import {fromArrayBuffer, getDecoder, type GeoTIFFImage, type TypedArray} from 'geotiff';
import {deflateCompressions, inflateBlock} from './native-inflate.js';
import {arrayBufferOf} from './array-buffer.js';
import {writeAtomic} from '../fs/atomic.js';
import type {GeoRaster, PaletteEntry} from './georaster.js';
import {isGeographicCode, lookupCrs} from './crs-registry.js';
import {crsCodeOfGeoKeys} from './geotiff-crs.js';
import {encodeTiff, TiffType, type TiffTag} from './tiff-writer.js';
import {messageOf} from '../../errors.js';

export type EncodeOptions = {
	/** Default deflate (lossless, read by GDAL, QGIS, ArcGIS and geotiff.js). */
	compression?: 'none' | 'deflate';
};

const GeoKey = {
	GTModelType: 1024,
	GTRasterType: 1025,
	GTCitation: 1026,
	GeographicType: 2048,
	GeogCitation: 2049,
	ProjectedCSType: 3072,
	PCSCitation: 3073,
} as const;
const GeoAsciiParamsTag = 34737;
const userDefined = 32767;
const ModelType = {projected: 1, geographic: 2} as const;
const RasterType = {pixelIsArea: 1, pixelIsPoint: 2} as const;
const Photometric = {minIsBlack: 1, rgb: 2, palette: 3} as const;
const ExtraSample = {unspecified: 0, unassociatedAlpha: 2} as const;

/** A raster to write: a GeoRaster, or one of 16-bit unsigned samples (what 16-bit imagery services send). */
export type EncodableRaster = Omit<GeoRaster, 'data'> & {data: GeoRaster['data'] | Uint16Array};

export async function encodeGeoTiff(raster: EncodableRaster, options: EncodeOptions = {}): Promise<Uint8Array> {
	validate(raster);
	const {width, height, bands} = raster;
	const tags: TiffTag[] = [
		{tag: 262, type: TiffType.SHORT, values: [photometricOf(raster)]},
		{tag: 305, type: TiffType.ASCII, values: 'deepmask'},
		...georeferencingTags(raster),
	];
	if (raster.colorMap) tags.push(paletteTag(raster.colorMap));
	const withAlpha = raster.nodataMask && alphaInterleaved(raster.data as Uint8Array, raster.nodataMask);
	if (withAlpha) tags.push({tag: 338, type: TiffType.SHORT, values: [ExtraSample.unassociatedAlpha]});
	else if (extraSamples(raster) > 0)
		tags.push({tag: 338, type: TiffType.SHORT, values: new Array(extraSamples(raster)).fill(ExtraSample.unspecified)});
	if (raster.nodata !== undefined) tags.push(nodataTag(raster.nodata));
	return encodeTiff({
		width,
		height,
		samples: withAlpha ? bands + 1 : bands,
		data: withAlpha ?? raster.data,
		compression: options.compression ?? 'deflate',
		tags,
	});
}

/** The tags that place a raster of `width` × `height` pixels over `bbox` in the CRS `epsg` (see the header). */
export function georeferencingTags(raster: Pick<GeoRaster, 'width' | 'height' | 'bbox' | 'epsg'>): TiffTag[] {
	const {width, height, bbox, epsg} = raster;
	// Esri's own WKIDs (102003, …) fit no GeoKey and no reader knows them as codes: written as GDAL's ESRI_PE
	// flavour and ArcGIS write them, user-defined with the name and the WKT as an "ESRI PE String" citation.
	const esri = epsg > userDefined ? esriCitations(epsg) : undefined;
	const geographic = esri ? esri.geographic : isGeographicCode(epsg);
	const geoKeys = esri
		? [
				[GeoKey.GTModelType, 0, 1, userDefined],
				[GeoKey.GTRasterType, 0, 1, RasterType.pixelIsArea],
				[GeoKey.GTCitation, GeoAsciiParamsTag, esri.name.length, 0],
				[geographic ? GeoKey.GeographicType : GeoKey.ProjectedCSType, 0, 1, userDefined],
				[geographic ? GeoKey.GeogCitation : GeoKey.PCSCitation, GeoAsciiParamsTag, esri.pe.length, esri.name.length],
			]
		: [
				[GeoKey.GTModelType, 0, 1, geographic ? ModelType.geographic : ModelType.projected],
				[GeoKey.GTRasterType, 0, 1, RasterType.pixelIsArea],
				[geographic ? GeoKey.GeographicType : GeoKey.ProjectedCSType, 0, 1, epsg],
			];
	const tags: TiffTag[] = [
		{tag: 33550, type: TiffType.DOUBLE, values: [(bbox.xmax - bbox.xmin) / width, (bbox.ymax - bbox.ymin) / height, 0]},
		{tag: 33922, type: TiffType.DOUBLE, values: [0, 0, 0, bbox.xmin, bbox.ymax, 0]},
		{
			tag: 34735,
			type: TiffType.SHORT,
			values: [1, 1, 0, geoKeys.length, ...geoKeys.flat()],
		},
	];
	if (esri) tags.push({tag: GeoAsciiParamsTag, type: TiffType.ASCII, values: esri.name + esri.pe});
	return tags;
}

/** PhotometricInterpretation: palette, with its ColorMap. */
export function paletteTags(colorMap: PaletteEntry[]): TiffTag[] {
	return [{tag: 262, type: TiffType.SHORT, values: [Photometric.palette]}, paletteTag(colorMap)];
}

/** GDAL's NoData tag. */
export function nodataTag(nodata: number): TiffTag {
	return {tag: 42113, type: TiffType.ASCII, values: formatNodata(nodata)};
}

export async function decodeGeoTiff(bytes: Uint8Array): Promise<GeoRaster> {
	const tiff = await fromArrayBuffer(arrayBufferOf(bytes));
	const image = await tiff.getImage();
	const width = image.getWidth();
	const height = image.getHeight();
	const bands = image.getSamplesPerPixel();
	const geoKeys = image.getGeoKeys() ?? {};
	const epsg = crsCodeOfGeoKeys(geoKeys);
	const [resX, resY] = image.getResolution();
	let [originX, originY] = image.getOrigin();
	if (Number(geoKeys.GTRasterTypeGeoKey) === RasterType.pixelIsPoint) {
		// GDAL's reading: the tie point names the centre of the top-left pixel.
		originX -= resX / 2;
		originY -= resY / 2;
	}
	const bbox = {
		xmin: originX,
		ymax: originY,
		xmax: originX + resX * width,
		ymin: originY + resY * height,
	};
	const raw = await readSamples(image, bytes);
	// A plain typed array: geotiff.js hangs width/height properties on its result.
	const data =
		raw instanceof Uint8Array
			? new Uint8Array(raw.buffer, raw.byteOffset, raw.length)
			: raw instanceof Float32Array
				? new Float32Array(raw.buffer, raw.byteOffset, raw.length)
				: Float32Array.from(raw as ArrayLike<number>);
	const fileDirectory = image.getFileDirectory();
	const photometric = fileDirectory.getValue('PhotometricInterpretation');
	const raster: GeoRaster =
		photometric === Photometric.rgb &&
		bands === 4 &&
		data instanceof Uint8Array &&
		isAlpha(fileDirectory.getValue('ExtraSamples'))
			? {...splitAlpha(data), width, height, bands: 3, bbox, epsg}
			: {width, height, bands, data, bbox, epsg};
	const nodata = image.getGDALNoData();
	if (nodata !== null && nodata !== undefined) raster.nodata = nodata;
	if (photometric === Photometric.palette) {
		raster.colorMap = paletteFromTag((await fileDirectory.loadValue('ColorMap')) as ArrayLike<number>);
	}
	return raster;
}

/** Compressions whose decoders geotiff.js sets up from the tags alone (its default decoder parameters). */
const plainlyDecoded = new Set([1, 5, 8, 32773, 32946]);

/**
 * Every sample of the image, interleaved, as geotiff.js's readRasters({interleave: true}) gives them. Blocks whose
 * bytes already lie that way (chunky, one sample type of whole bytes that needs no widening, this machine's byte
 * order) are copied a row at a time instead of sample by sample through a DataView, which took most of the time
 * spent reading a 1024² DSM (issue 19); the bytes are the same. Given the bytes the image was opened from, its
 * Deflate blocks without a predictor are inflated where they lie there, not first copied out one by one.
 */
export async function readSamples(image: GeoTIFFImage, file?: Uint8Array): Promise<TypedArray> {
	const directory = image.fileDirectory;
	const compression = Number(directory.getValue('Compression') ?? 1);
	const bands = image.getSamplesPerPixel();
	const bits = image.getBitsPerSample(0);
	const format = image.getSampleFormat(0);
	const samePerBand = Array.from({length: bands}, (_, band) => band).every(
		(band) => image.getBitsPerSample(band) === bits && image.getSampleFormat(band) === format,
	);
	const wholeBytes =
		format === 3 ? bits === 32 || bits === 64 : (format === 1 || format === 2) && [8, 16, 32].includes(bits);
	if (
		!plainlyDecoded.has(compression) ||
		image.planarConfiguration !== 1 ||
		!samePerBand ||
		!wholeBytes ||
		image.littleEndian !== (endianness() === 'LE')
	)
		return image.readRasters({interleave: true});
	const width = image.getWidth();
	const height = image.getHeight();
	const tileWidth = image.getTileWidth();
	const tileHeight = image.getTileHeight();
	const predictor = Number(await directory.loadValue('Predictor')) || 1;
	// The parameters geotiff.js's readRasters gives these decoders.
	const parameters = {
		tileWidth: image.isTiled ? Number(await directory.loadValue('TileWidth')) : width,
		tileHeight: image.isTiled
			? Number(await directory.loadValue('TileLength'))
			: Number(await directory.loadValue('RowsPerStrip')) || height,
		planarConfiguration: 1,
		bitsPerSample: (await directory.loadValue('BitsPerSample'))!,
		predictor,
	};
	let decoder: Promise<Decoder> | undefined;
	const out = image.getArrayForSample(0, width * height * bands);
	const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
	const pixelBytes = image.getBytesPerPixel();
	const across = Math.ceil(width / tileWidth);
	const inPlace = file && deflateCompressions.has(compression) && predictor === 1 ? file : undefined;
	const blockData = async (x: number, y: number): Promise<Uint8Array> => {
		const index = y * across + x;
		const [offset, count] = inPlace
			? await Promise.all(
					(image.isTiled ? ['TileOffsets', 'TileByteCounts'] : ['StripOffsets', 'StripByteCounts']).map(async (tag) =>
						Number(await directory.loadValueIndexed(tag, index)),
					),
				)
			: [0, 0];
		// An empty block (a sparse file's) is geotiff.js's to fill with the nodata value.
		if (inPlace && count > 0)
			return inflateBlock(inPlace.subarray(offset, offset + count), tileWidth * tileHeight * pixelBytes);
		return new Uint8Array(
			(await image.getTileOrStrip(x, y, 0, await (decoder ??= decoderFor(compression, parameters)))).data,
		);
	};
	const blocks = [];
	for (let y = 0; y < Math.ceil(height / tileHeight); y++)
		for (let x = 0; x < across; x++)
			blocks.push(
				blockData(x, y).then((data) => {
					const left = x * tileWidth;
					const top = y * tileHeight;
					const rowBytes = Math.min(tileWidth, width - left) * pixelBytes;
					const rows = Math.min(image.getBlockHeight(y), height - top);
					for (let row = 0; row < rows; row++) {
						const from = row * tileWidth * pixelBytes;
						bytes.set(data.subarray(from, from + rowBytes), ((top + row) * width + left) * pixelBytes);
					}
				}),
			);
	await Promise.all(blocks);
	return out;
}

type Decoder = Awaited<ReturnType<typeof getDecoder>>;
type DecoderParameters = Parameters<typeof getDecoder>[1];

/**
 * geotiff.js's decoder classes by compression, kept: its getDecoder imports the decoder's module again on every
 * call, a module resolution per image, and under a module loader's hooks (tsx, which runs the benchmark) a
 * round trip to the hooks' thread, about a millisecond a tile.
 */
const decoderClasses = new Map<number, new (parameters: DecoderParameters) => Decoder>();

async function decoderFor(compression: number, parameters: DecoderParameters): Promise<Decoder> {
	const Known = decoderClasses.get(compression);
	if (Known) return new Known(parameters);
	const decoder = await getDecoder(compression, parameters);
	decoderClasses.set(compression, decoder.constructor as new (parameters: DecoderParameters) => Decoder);
	return decoder;
}

export async function readGeoTiffFile(file: string): Promise<GeoRaster> {
	const bytes = await readFile(file);
	try {
		return await decodeGeoTiff(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
	} catch (error) {
		throw new Error(`cannot read ${file} as GeoTIFF: ${messageOf(error)}`, {cause: error});
	}
}

/** Writes atomically: readers see the old file or the whole new one. */
export async function writeGeoTiffFile(file: string, raster: GeoRaster, options: EncodeOptions = {}): Promise<void> {
	await writeAtomic(file, await encodeGeoTiff(raster, options));
}

function validate(raster: EncodableRaster): void {
	const {width, height, bands, data, bbox} = raster;
	if (
		!Number.isInteger(width) ||
		!Number.isInteger(height) ||
		!Number.isInteger(bands) ||
		width < 1 ||
		height < 1 ||
		bands < 1
	) {
		throw new Error(`invalid raster size ${width}×${height}×${bands}`);
	}
	if (data.length !== width * height * bands) {
		throw new Error(`raster data has ${data.length} samples, expected ${width * height * bands}`);
	}
	if (!(bbox.xmax > bbox.xmin && bbox.ymax > bbox.ymin)) throw new Error(`invalid raster bbox ${JSON.stringify(bbox)}`);
	if (
		raster.nodataMask &&
		(bands !== 3 || !(data instanceof Uint8Array) || raster.nodataMask.length !== width * height)
	) {
		throw new Error('a nodata mask needs a 3-band uint8 raster and one entry per pixel');
	}
	if (raster.colorMap && (bands !== 1 || !(data instanceof Uint8Array) || raster.colorMap.length > 256)) {
		throw new Error('a colour map needs a 1-band uint8 raster and at most 256 entries');
	}
}

function photometricOf(raster: EncodableRaster): number {
	if (raster.colorMap) return Photometric.palette;
	if (raster.bands >= 3 && raster.data instanceof Uint8Array) return Photometric.rgb;
	return Photometric.minIsBlack;
}

function extraSamples(raster: EncodableRaster): number {
	const photometric = photometricOf(raster);
	return raster.bands - (photometric === Photometric.rgb ? 3 : 1);
}

/** RGB and an alpha of 0 where the pixel has no data, 255 elsewhere, as GDAL, QGIS and ArcGIS read an RGBA GeoTIFF. */
function alphaInterleaved(rgb: Uint8Array, nodataMask: Uint8Array): Uint8Array {
	const out = new Uint8Array(nodataMask.length * 4);
	for (let p = 0; p < nodataMask.length; p++) {
		out[p * 4] = rgb[p * 3];
		out[p * 4 + 1] = rgb[p * 3 + 1];
		out[p * 4 + 2] = rgb[p * 3 + 2];
		out[p * 4 + 3] = nodataMask[p] ? 0 : 255;
	}
	return out;
}

/** Whether an ExtraSamples tag makes the extra sample an alpha (unassociated or premultiplied). */
function isAlpha(extra: unknown): boolean {
	const first = typeof extra === 'number' ? extra : (extra as ArrayLike<number> | undefined)?.[0];
	return first === ExtraSample.unassociatedAlpha || first === 1;
}

/** RGBA to RGB and the mask of the pixels whose alpha is 0; no mask when every pixel is opaque. */
function splitAlpha(rgba: Uint8Array): {data: Uint8Array; nodataMask?: Uint8Array} {
	const pixels = rgba.length / 4;
	const data = new Uint8Array(pixels * 3);
	let nodataMask: Uint8Array | undefined;
	for (let p = 0; p < pixels; p++) {
		data[p * 3] = rgba[p * 4];
		data[p * 3 + 1] = rgba[p * 4 + 1];
		data[p * 3 + 2] = rgba[p * 4 + 2];
		if (rgba[p * 4 + 3] === 0) {
			nodataMask ??= new Uint8Array(pixels);
			nodataMask[p] = 1;
		}
	}
	return nodataMask ? {data, nodataMask} : {data};
}

function paletteTag(colorMap: PaletteEntry[]): TiffTag {
	// TIFF stores all reds, then all greens, then all blues, 16 bits each, 256 entries for 8 bits.
	const values = new Array<number>(3 * 256).fill(0);
	colorMap.forEach((entry, index) => {
		for (let channel = 0; channel < 3; channel++) values[channel * 256 + index] = entry[channel] * 257;
	});
	return {tag: 320, type: TiffType.SHORT, values};
}

function paletteFromTag(values: ArrayLike<number>): PaletteEntry[] {
	const entries = values.length / 3;
	const palette: PaletteEntry[] = [];
	for (let i = 0; i < entries; i++) {
		palette.push([values[i] >> 8, values[entries + i] >> 8, values[2 * entries + i] >> 8]);
	}
	return palette;
}

function formatNodata(nodata: number): string {
	if (Number.isNaN(nodata)) return 'nan';
	if (nodata === Infinity) return 'inf';
	if (nodata === -Infinity) return '-inf';
	return String(nodata);
}

/** The citations of a CRS without an EPSG code: its name and its Esri WKT, each `|`-terminated as GeoAsciiParams are. */
function esriCitations(code: number): {name: string; pe: string; geographic: boolean} {
	const record = lookupCrs(code);
	if (!record) throw new Error(`cannot write the CRS of code ${code} into a GeoTIFF: neither EPSG nor Esri lists it`);
	return {name: `${record.name}|`, pe: `ESRI PE String = ${record.wkt}|`, geographic: record.wkt.startsWith('GEOGCS')};
}
