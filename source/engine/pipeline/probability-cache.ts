/**
 * Decoded probability rasters kept between restats (a user dragging the threshold recomputes every
 * tile many times; decoding the GeoTIFFs is most of that work). Least recently used entries go first
 * once `maxBytes` is exceeded; an entry is stale when the file's size or mtime changed.
 */
import {stat} from 'node:fs/promises';

export type Probability = {data: Uint8Array; width: number; height: number};

type Entry = {value: Probability; version: string};

export class ProbabilityCache {
	private readonly entries = new Map<string, Entry>();
	private bytes = 0;

	constructor(private readonly maxBytes = 256 * 1024 * 1024) {}

	async get(file: string, load: () => Promise<Probability>): Promise<Probability> {
		const info = await stat(file);
		const version = `${info.size}:${info.mtimeMs}`;
		const entry = this.entries.get(file);
		if (entry && entry.version === version) {
			this.entries.delete(file);
			this.entries.set(file, entry);
			return entry.value;
		}
		const value = await load();
		this.insert(file, value, version);
		return value;
	}

	/** Keep a probability raster that was just written to `file` (so the first restat need not decode it). */
	async put(file: string, value: Probability): Promise<void> {
		const info = await stat(file);
		this.insert(file, value, `${info.size}:${info.mtimeMs}`);
	}

	private insert(file: string, value: Probability, version: string): void {
		this.remove(file);
		this.entries.set(file, {value, version});
		this.bytes += value.data.byteLength;
		for (const [key] of this.entries) {
			if (this.bytes <= this.maxBytes || key === file) break;
			this.remove(key);
		}
	}

	private remove(file: string): void {
		const entry = this.entries.get(file);
		if (!entry) return;
		this.bytes -= entry.value.data.byteLength;
		this.entries.delete(file);
	}
}
