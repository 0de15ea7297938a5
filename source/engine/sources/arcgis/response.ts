/**
 * Every answer is suspect: neither the HTTP status nor the Content-Type says whether an ArcGIS service
 * sent an image (it answers size and token errors with HTTP 200, sometimes labelled image/tiff). We judge
 * the body itself: magic bytes, ArcGIS error JSON, HTML error pages, then the decoded size and bands.
 */
import {fromArrayBuffer} from 'geotiff';
import sharp from '../../sharp.js';
import type {HttpResponse} from '../transport.js';
import {messageOf} from '../../../errors.js';
import {geoTiffPlace, type GeoTiffPlace} from '../../geo/geotiff-place.js';
import {arrayBufferOf} from '../../geo/array-buffer.js';
import {readSamples} from '../../geo/geotiff.js';

export type ImageFormat = 'tiff' | 'png' | 'jpeg';

/**
 * What to do about a response that is not the image asked for: transient → retry later; size → split the
 * request; auth → stop, the token is missing or invalid; denied → stop, the account may not use the
 * service (403: a new token does not help); fatal → stop, bad request; misplaced → stop, the image says it lies
 * elsewhere than asked (asking again gets the same).
 */
export type ProblemKind = 'transient' | 'size' | 'auth' | 'denied' | 'fatal' | 'misplaced';

export class ResponseProblem extends Error {
	override name = 'ResponseProblem';
	constructor(
		message: string,
		readonly kind: ProblemKind,
		/** HTTP status or ArcGIS error code, when there is one. */
		readonly code?: number,
	) {
		super(message);
	}
}

export type ArcGisError = {code: number; message: string; details: string[]};

export type DecodedImage = {
	width: number;
	height: number;
	bands: number;
	data: Uint8Array | Float32Array;
	/** The TIFF's nodata tag (GDAL_NODATA), when it has one. */
	nodata?: number;
	/** 1 where the answer's alpha is 0 (nothing drawn there); absent when it has no alpha or it is opaque everywhere. */
	nodataMask?: Uint8Array;
	/** Where a georeferenced TIFF says it lies. */
	place?: GeoTiffPlace;
};

export type ExpectedImage = {width: number; height: number; bands: number; pixelType: 'U8' | 'F32'};

export function sniffImage(body: Uint8Array): ImageFormat | undefined {
	const [a, b, c, d] = body;
	if ((a === 0x49 && b === 0x49 && c === 0x2a && d === 0x00) || (a === 0x4d && b === 0x4d && c === 0x00 && d === 0x2a))
		return 'tiff';
	if ((a === 0x49 && b === 0x49 && c === 0x2b) || (a === 0x4d && b === 0x4d && c === 0x00 && d === 0x2b)) return 'tiff'; // BigTIFF
	if (a === 0x89 && b === 0x50 && c === 0x4e && d === 0x47) return 'png';
	if (a === 0xff && b === 0xd8 && c === 0xff) return 'jpeg';
	return undefined;
}

function leadingText(body: Uint8Array, length = 512): string {
	return Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, length)).toString('utf8').trimStart();
}

/** The `{"error": {...}}` envelope, or undefined when the body is not one. */
export function parseArcGisError(body: Uint8Array): ArcGisError | undefined {
	if (!leadingText(body, 16).startsWith('{')) return undefined;
	let json: unknown;
	try {
		json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
	} catch {
		return undefined;
	}
	const error = (json as {error?: unknown} | null)?.error;
	if (typeof error !== 'object' || error === null) return undefined;
	const {code, message, details} = error as Record<string, unknown>;
	return {
		code: typeof code === 'number' ? code : Number(code),
		message: typeof message === 'string' ? message : '',
		details: Array.isArray(details) ? details.filter((detail): detail is string => typeof detail === 'string') : [],
	};
}

export function describeArcGisError(error: ArcGisError): string {
	const details = error.details.filter((detail) => detail && detail !== error.message);
	const code = Number.isFinite(error.code) ? String(error.code) : '(no code)';
	return `ArcGIS error ${code}: ${[error.message, ...details].filter(Boolean).join(' ') || '(no message)'}`;
}

export function problemFromArcGisError(error: ArcGisError): ResponseProblem {
	const text = describeArcGisError(error);
	if (error.code === 498 || error.code === 499) return new ResponseProblem(text, 'auth', error.code);
	if (/exceeds the size limit/i.test([error.message, ...error.details].join(' ')))
		return new ResponseProblem(text, 'size', error.code);
	if (error.code >= 500) return new ResponseProblem(text, 'transient', error.code);
	if (error.code === 401) return new ResponseProblem(text, 'auth', error.code);
	if (error.code === 403) return new ResponseProblem(text, 'denied', error.code);
	// No code: nothing says it would go better next time (arcgis-rest-js meets these as permission errors).
	if (!Number.isFinite(error.code)) return new ResponseProblem(text, 'fatal');
	return new ResponseProblem(text, 'fatal', error.code);
}

function statusProblem(response: HttpResponse): ResponseProblem | undefined {
	const {status} = response;
	if (status >= 200 && status < 300) return undefined;
	const error = parseArcGisError(response.body);
	if (error) {
		const problem = problemFromArcGisError(error);
		// A proxy's 5xx wrapped around a JSON body is still a 5xx.
		return status >= 500 ? new ResponseProblem(`HTTP ${status}, ${problem.message}`, 'transient', status) : problem;
	}
	const text = `HTTP ${status}`;
	if (status === 408 || status === 429 || status >= 500) return new ResponseProblem(text, 'transient', status);
	if (status === 401) return new ResponseProblem(`${text} (not authorised)`, 'auth', status);
	if (status === 403) return new ResponseProblem(`${text} (forbidden)`, 'denied', status);
	if (status === 404) return new ResponseProblem(`${text} (not found)`, 'fatal', status);
	return new ResponseProblem(text, 'fatal', status);
}

/** The image format of a good response; throws a ResponseProblem for anything else. */
export function judgeImageResponse(response: HttpResponse): ImageFormat {
	const problem = statusProblem(response);
	if (problem) throw problem;
	const format = sniffImage(response.body);
	if (format) return format;
	const error = parseArcGisError(response.body);
	if (error) throw problemFromArcGisError(error);
	if (response.body.byteLength === 0) throw new ResponseProblem('an empty body instead of an image', 'transient');
	const text = leadingText(response.body).toLowerCase();
	if (text.startsWith('<')) throw new ResponseProblem('an HTML page instead of an image', 'transient');
	throw new ResponseProblem(`${response.body.byteLength} bytes that are not a TIFF, PNG or JPEG image`, 'transient');
}

/** The JSON of a good `?f=json` response; throws a ResponseProblem for anything else. */
export function judgeJsonResponse(response: HttpResponse): unknown {
	const problem = statusProblem(response);
	if (problem) throw problem;
	const error = parseArcGisError(response.body);
	if (error) throw problemFromArcGisError(error);
	const text = Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength).toString('utf8');
	try {
		return JSON.parse(text) as unknown;
	} catch {
		const what = text.trimStart().startsWith('<')
			? 'an HTML page'
			: `${response.body.byteLength} bytes of something else`;
		throw new ResponseProblem(`${what} instead of the service's JSON description`, 'fatal');
	}
}

const Photometric = {palette: 3, yCbCr: 6} as const;

/** Width and height from the image's header alone. */
async function declaredSize(body: Uint8Array, format: ImageFormat): Promise<{width: number; height: number}> {
	if (format === 'tiff') {
		const image = await (await fromArrayBuffer(arrayBufferOf(body))).getImage();
		return {width: image.getWidth(), height: image.getHeight()};
	}
	const {width, height} = await sharp(body).metadata();
	return {width: width ?? 0, height: height ?? 0};
}

async function decodeTiff(body: Uint8Array, bands: number): Promise<DecodedImage> {
	const image = await (await fromArrayBuffer(arrayBufferOf(body))).getImage();
	// A map rendering may come as a palette, YCbCr (JPEG-in-TIFF) or grey picture: convert those to RGB.
	const photometric = image.getFileDirectory().getValue('PhotometricInterpretation');
	const asRgb =
		bands === 3 &&
		(photometric === Photometric.palette || photometric === Photometric.yCbCr || image.getSamplesPerPixel() === 1);
	const raw = asRgb ? await image.readRGB({interleave: true}) : await readSamples(image, body);
	const data =
		raw instanceof Uint8Array
			? new Uint8Array(raw.buffer, raw.byteOffset, raw.length)
			: raw instanceof Float32Array
				? new Float32Array(raw.buffer, raw.byteOffset, raw.length)
				: // 16- and 32-bit integers and doubles: float32 holds every 16-bit value exactly.
					Float32Array.from(raw as ArrayLike<number>);
	const decoded: DecodedImage = {
		width: image.getWidth(),
		height: image.getHeight(),
		bands: asRgb ? 3 : image.getSamplesPerPixel(),
		data,
	};
	const nodata = image.getGDALNoData();
	if (nodata !== null && nodata !== undefined) decoded.nodata = nodata;
	const place = geoTiffPlace(image);
	if (place) decoded.place = place;
	return decoded;
}

async function decodePicture(body: Uint8Array, bands: number): Promise<DecodedImage> {
	// A colour picture keeps its alpha (PNG32, or transparent=true): withoutAlpha makes it the nodata mask.
	const picture = sharp(body, {failOn: 'truncated'});
	const pipeline = bands === 3 ? picture : picture.removeAlpha();
	const {data, info} = await pipeline
		.toColourspace(bands === 1 ? 'b-w' : 'srgb')
		.raw()
		.toBuffer({resolveWithObject: true});
	return {
		width: info.width,
		height: info.height,
		bands: info.channels,
		data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
	};
}

/**
 * Drop a trailing alpha band (RGBA renderings) when the bands asked for are all there; where the alpha is 0
 * the service drew nothing, and the pixel goes into the nodata mask.
 */
function withoutAlpha(image: DecodedImage, bands: number): DecodedImage {
	if (image.bands !== bands + 1 || bands !== 3) return image;
	const pixels = image.width * image.height;
	const data = image.data instanceof Uint8Array ? new Uint8Array(pixels * bands) : new Float32Array(pixels * bands);
	let nodataMask: Uint8Array | undefined;
	for (let pixel = 0; pixel < pixels; pixel++) {
		for (let band = 0; band < bands; band++) data[pixel * bands + band] = image.data[pixel * image.bands + band];
		if (image.data[pixel * image.bands + bands] === 0) {
			nodataMask ??= new Uint8Array(pixels);
			nodataMask[pixel] = 1;
		}
	}
	return nodataMask ? {...image, bands, data, nodataMask} : {...image, bands, data};
}

/** Decode and check against what was asked; a corrupt or wrong image is a transient problem (retry). */
export async function decodeImage(
	body: Uint8Array,
	format: ImageFormat,
	expected: ExpectedImage,
): Promise<DecodedImage> {
	const cannotDecode = (error: unknown) =>
		new ResponseProblem(
			`a ${format.toUpperCase()} that cannot be decoded (${messageOf(error)}), truncated?`,
			'transient',
		);
	const checkSize = (size: {width: number; height: number}) => {
		if (size.width !== expected.width || size.height !== expected.height) {
			throw new ResponseProblem(
				`a ${size.width}×${size.height} image instead of the ${expected.width}×${expected.height} asked for`,
				'transient',
			);
		}
	};
	// The size the header declares is checked before decoding: a small file may declare gigapixels.
	let image: DecodedImage;
	try {
		checkSize(await declaredSize(body, format));
		image = format === 'tiff' ? await decodeTiff(body, expected.bands) : await decodePicture(body, expected.bands);
	} catch (error) {
		throw error instanceof ResponseProblem ? error : cannotDecode(error);
	}
	image = withoutAlpha(image, expected.bands);
	checkSize(image);
	if (image.bands !== expected.bands) {
		throw new ResponseProblem(`an image with ${image.bands} bands instead of ${expected.bands}`, 'transient');
	}
	if (expected.pixelType === 'F32' && !(image.data instanceof Float32Array)) {
		image = {...image, data: Float32Array.from(image.data)};
	}
	if (expected.pixelType === 'U8' && !(image.data instanceof Uint8Array)) {
		throw new ResponseProblem('float pixels instead of the 8-bit pixels asked for', 'transient');
	}
	return image;
}
