/**
 * GeoTIFF Deflate blocks inflated by Node's zlib instead of geotiff.js's pako: native, and on libuv's
 * thread pool instead of the main thread, where pako was most of the time spent reading a DSM or a
 * fetched tile (issue 19). Same bytes: inflating is deterministic. Registered once per thread on import.
 */
import {promisify} from 'node:util';
import {inflate} from 'node:zlib';
import {addDecoder, BaseDecoder} from 'geotiff';
import {arrayBufferOf} from './array-buffer.js';

const inflateAsync = promisify(inflate);

class NativeDeflateDecoder extends BaseDecoder {
	override async decodeBlock(buffer: ArrayBuffer): Promise<ArrayBuffer> {
		// A block of more than a few kB comes back in a buffer of its own: no copy then.
		return arrayBufferOf(await inflateAsync(new Uint8Array(buffer)));
	}
}

// Deflate and Adobe Deflate, as geotiff.js registers them.
addDecoder([8, 32946], async () => NativeDeflateDecoder, undefined, false);
