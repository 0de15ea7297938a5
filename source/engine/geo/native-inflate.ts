/**
 * GeoTIFF Deflate blocks inflated by Node's zlib instead of geotiff.js's pako: native, and on libuv's
 * thread pool instead of the main thread, where pako was most of the time spent reading a DSM or a
 * fetched tile (issue 19). Same bytes: inflating is deterministic. Registered once per thread on import.
 *
 * zlib hands its output back in chunks (16 kB by default), each a round trip between the pool and the main
 * thread, and joins them in a copy; in chunks of a whole block a block takes one round trip and no copy.
 */
import {promisify} from 'node:util';
import {constants, inflate} from 'node:zlib';
import {addDecoder, BaseDecoder} from 'geotiff';
import {arrayBufferOf} from './array-buffer.js';

const inflateAsync = promisify(inflate);

/** Deflate and Adobe Deflate, as geotiff.js registers them. */
export const deflateCompressions = new Set([8, 32946]);

/**
 * A block inflated where it lies in the file's bytes, `bytes` long when whole (the last strip may hold fewer
 * rows). The chunk holds a byte more than the block: zlib, its output then not filling the chunk, makes no spare
 * chunk for more; the block comes back as a view on it.
 */
export async function inflateBlock(compressed: Uint8Array, bytes: number): Promise<Uint8Array> {
	return inflateAsync(compressed, {chunkSize: chunkSize(bytes + 1)});
}

class NativeDeflateDecoder extends BaseDecoder {
	override async decodeBlock(buffer: ArrayBuffer): Promise<ArrayBuffer> {
		// geotiff.js takes a block's own ArrayBuffer: a chunk of the block's exact size fills it (no copy), at the cost
		// of the spare chunk zlib makes once one is full.
		return arrayBufferOf(
			await inflateAsync(new Uint8Array(buffer), {chunkSize: chunkSize(blockBytes(this.parameters))}),
		);
	}
}

/** Chunks no larger, whatever a block's tags declare: a larger block just takes more. */
const largestChunk = 64 * 1024 * 1024;

function chunkSize(bytes: number): number {
	return Number.isFinite(bytes)
		? Math.min(largestChunk, Math.max(constants.Z_MIN_CHUNK, bytes))
		: constants.Z_DEFAULT_CHUNK;
}

/** The bytes of a whole decoded block (a strip or a tile). */
function blockBytes({tileWidth, tileHeight, bitsPerSample, planarConfiguration}: BaseDecoder['parameters']): number {
	const bits = typeof bitsPerSample === 'number' ? [bitsPerSample] : Array.from(bitsPerSample);
	const pixelBits = planarConfiguration === 2 ? Math.max(...bits) : bits.reduce((sum, band) => sum + band, 0);
	return Math.ceil((tileWidth * pixelBits) / 8) * tileHeight;
}

addDecoder([...deflateCompressions], async () => NativeDeflateDecoder, undefined, false);
