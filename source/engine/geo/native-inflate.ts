/**
 * GeoTIFF Deflate blocks inflated by Node's zlib instead of geotiff.js's pako: native, and on libuv's
 * thread pool instead of the main thread, where pako was most of the time spent reading a DSM or a
 * fetched tile (issue 19). Same bytes: inflating is deterministic. Registered once per thread on import.
 */
import {promisify} from 'node:util';
import {inflate} from 'node:zlib';
import {addDecoder, BaseDecoder} from 'geotiff';

const inflateAsync = promisify(inflate);

class NativeDeflateDecoder extends BaseDecoder {
	override async decodeBlock(buffer: ArrayBuffer): Promise<ArrayBuffer> {
		const bytes = await inflateAsync(new Uint8Array(buffer));
		// A block of more than a few kB comes back in a buffer of its own: no copy needed then.
		if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
		return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
	}
}

// Deflate and Adobe Deflate, as geotiff.js registers them.
addDecoder([8, 32946], async () => NativeDeflateDecoder, undefined, false);
