/**
 * A member worker's sliding windows of the area's grid, each inferred once for all the tiles it reaches into. A
 * window's model input depends only on the area's pixels under it (context-tiles.ts gives every tile the same
 * area pixels, and the same padding outside the area; the nDSM's ground is the window's own), so its output,
 * keyed by its place on the grid, serves every tile that reaches it.
 */

/**
 * The most bytes of finished outputs the cache keeps that no tile in progress waits for. Tiles come about row by
 * row, so the windows the next row of tiles needs are one band of windows across the area: 256 MiB holds that band
 * for an area about 65,000 px wide (512² windows, 50 % overlap, one plane; 16,000 px with four planes). A wider
 * area, or tiles far out of order, lose only the reuse of the windows evicted first (they are inferred again).
 */
export const windowCacheBytes = 256 * 1024 * 1024;

/** One window's output (planes × size²), shared by the tiles it reaches into. */
export type CachedWindow = {
	readonly key: string;
	/** Set once the window is inferred. */
	output?: Float32Array;
	/** Set when its inference failed: the tiles waiting for it fail too. */
	failed?: Error;
	/** Tiles that took it and have not blended it yet: it stays while any has not. */
	users: number;
	/** The window's pixels inside the area, and those of them in the tiles that took it so far. */
	inside: number;
	covered: number;
	/** The tiles (by their place in the area) that took it. */
	readonly tiles: Set<string>;
};

export class WindowCache {
	/** Oldest use first. */
	private readonly windows = new Map<string, CachedWindow>();
	/** Bytes of finished outputs no tile waits for. */
	private idleBytes = 0;
	/** Buffers of evicted outputs, for the next outputs (all of one length in a worker). */
	private readonly spare: Float32Array[] = [];

	constructor(private readonly maxBytes = windowCacheBytes) {}

	/**
	 * The window `key` for the tile at `tile`, which covers `covered` of its pixels; `infer` when the tile is the
	 * first to need it and must infer it (`inside` counts its pixels in the area then).
	 */
	take(key: string, tile: string, covered: number, inside: () => number): {window: CachedWindow; infer: boolean} {
		let window = this.windows.get(key);
		const infer = window === undefined;
		if (window) {
			this.windows.delete(key);
			if (window.output && window.users === 0) this.idleBytes -= window.output.byteLength;
		} else {
			window = {key, users: 0, inside: inside(), covered: 0, tiles: new Set()};
		}
		this.windows.set(key, window);
		window.users++;
		if (!window.tiles.has(tile)) {
			window.tiles.add(tile);
			window.covered += covered;
		}
		return {window, infer};
	}

	/** The window's output, copied (`output` is the worker's buffer, reused after). */
	store(window: CachedWindow, output: Float32Array): void {
		const buffer = this.spare.pop() ?? new Float32Array(output.length);
		buffer.set(output);
		window.output = buffer;
	}

	/** The window's inference failed: it is forgotten, and tiles that took it fail. */
	fail(window: CachedWindow, error: Error): void {
		window.failed = error;
		if (this.windows.get(window.key) === window) this.windows.delete(window.key);
	}

	/** A tile has blended the window (or given up on it). */
	release(window: CachedWindow): void {
		window.users--;
		if (window.users > 0 || this.windows.get(window.key) !== window) return;
		if (!window.output) {
			this.windows.delete(window.key);
		} else if (window.covered >= window.inside) {
			// Every tile it reaches into has taken it: none will ask again.
			this.evict(window);
		} else {
			this.idleBytes += window.output.byteLength;
			for (const [, oldest] of this.windows) {
				if (this.idleBytes <= this.maxBytes) break;
				if (oldest.users === 0 && oldest.output) {
					this.idleBytes -= oldest.output.byteLength;
					this.evict(oldest);
				}
			}
		}
	}

	/** Windows held (finished or waited for). */
	get size(): number {
		return this.windows.size;
	}

	private evict(window: CachedWindow): void {
		this.windows.delete(window.key);
		if (this.spare.length < 4) this.spare.push(window.output!);
	}
}
