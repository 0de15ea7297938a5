/**
 * The bytes as an ArrayBuffer of their own (what geotiff.js reads): the view's buffer itself when the view spans
 * all of it, as a file read whole or a large download does, else a copy of the viewed range.
 */
export function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
	const {buffer} = bytes;
	if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) return buffer;
	return buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
