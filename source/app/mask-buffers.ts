/**
 * Mask arrays used again once their image's files are written: a fresh one per image (1 MB for 1024²) was garbage
 * that, with the image's other buffers, made the main thread's collector mark and compact about once an image. A
 * taken array still holds its last image's mask: whoever takes one writes every byte.
 */
export class MaskBuffers {
	private readonly free: Uint8Array[] = [];

	constructor(private readonly keep: number) {}

	take(length: number): Uint8Array {
		const index = this.free.findIndex((mask) => mask.length === length);
		return index >= 0 ? this.free.splice(index, 1)[0] : new Uint8Array(length);
	}

	/** Only once nothing reads the mask any more (its files are written). */
	give(mask: Uint8Array): void {
		this.free.push(mask);
		if (this.free.length > this.keep) this.free.shift();
	}
}
