/**
 * The bytes of a GeoTIFF, as geotiff.js asks for them (`fetch(slices, signal)`): a local file read at
 * offsets, or an http(s) URL read with Range requests.
 *
 * URLs go through the project's own transport (got, the per-host queues, byte caps, urlRewrite) rather than
 * geotiff's `fromUrl`: that would bypass the scheduler and its limits, follow redirects anywhere, and have
 * no byte cap, retries or the run's error messages. geotiff.js accepts any object with `fetch` and
 * `fileSize` as its source (`GeoTIFF.fromSource`), which is what this is.
 *
 * Small reads (headers, IFDs, tile offset tables: geotiff.js asks for them a few hundred bytes at a time) go
 * through a cache of aligned blocks, so opening a COG is a couple of requests; tile data is read as asked,
 * exactly. Every byte read is counted, in total and per tile (by the AbortSignal its read carries).
 */
import {open, stat} from 'node:fs/promises';
import type {GeoTIFF} from 'geotiff';
import {abortError, RunError} from '../../../errors.js';
import {redact} from '../redact.js';
import {defaultRetryPolicy, waitBeforeRetry, type RetryPolicy} from '../retry.js';
import {TransportError, type Transport} from '../transport.js';

/** What geotiff.js needs of a source. */
export type TiffSource = Parameters<typeof GeoTIFF.fromSource>[0];

type Slice = {offset: number; length: number};

/** One tile's share of the reads: bytes, HTTP requests (failed ones included) and who to tell about retries. */
export type ReadAccount = {
	bytes: number;
	attempts: number;
	onBytes?: (bytes: number) => void;
	onRetry?: (attempt: number, reason: string) => void;
};

/** How raw bytes are got: `read` returns fewer bytes than asked only at the end of the file. */
export type RangeReader = {
	/** For messages: the path, or the URL with any token redacted. */
	readonly name: string;
	read(offset: number, length: number, signal: AbortSignal | undefined, account?: ReadAccount): Promise<Uint8Array>;
	/** The file's size once known. */
	size(): number | undefined;
	close(): Promise<void>;
};

/** Blocks of the small-read cache; a COG's header and IFDs usually sit in the first one. */
const blockSize = 64 * 1024;
/** Reads up to this size go through the block cache. */
const smallRead = 16 * 1024;
/** Blocks kept (LRU): 4 MiB, enough for the tile offset tables of a large COG's levels. */
const cachedBlocks = 64;

/**
 * A geotiff.js source over a RangeReader: a block cache for small reads, per-signal accounting, and the
 * total of bytes read (for tests and logs).
 */
export class ByteSource {
	/** Bytes read from the file or server since it was opened. */
	bytesRead = 0;
	private readonly blocks = new Map<number, Promise<Uint8Array>>();
	private readonly accounts = new WeakMap<AbortSignal, ReadAccount>();

	constructor(readonly reader: RangeReader) {}

	/** Reads carrying `signal` are counted in `account`. */
	track(signal: AbortSignal, account: ReadAccount): void {
		this.accounts.set(signal, account);
	}

	get fileSize(): number | null {
		return this.reader.size() ?? null;
	}

	async fetch(slices: Slice[], signal?: AbortSignal): Promise<ArrayBuffer[]> {
		return Promise.all(slices.map((slice) => this.fetchSlice(slice, signal)));
	}

	async close(): Promise<void> {
		await this.reader.close();
	}

	asTiffSource(): TiffSource {
		return this as unknown as TiffSource;
	}

	private async fetchSlice({offset, length}: Slice, signal?: AbortSignal): Promise<ArrayBuffer> {
		const account = signal ? this.accounts.get(signal) : undefined;
		if (length > smallRead) return copy(await this.raw(offset, length, signal, account));
		const out = new Uint8Array(length);
		let filled = 0;
		for (let block = Math.floor(offset / blockSize); filled < length; block++) {
			const bytes = await this.block(block, signal, account);
			const start = offset + filled - block * blockSize;
			const piece = bytes.subarray(start, Math.min(bytes.length, start + length - filled));
			if (piece.length === 0) break;
			out.set(piece, filled);
			filled += piece.length;
			if (bytes.length < blockSize) break;
		}
		// At the end of the file geotiff.js asks for more than there is (its 1 KiB header read of a tiny file).
		return out.buffer.slice(0, filled) as ArrayBuffer;
	}

	private block(index: number, signal: AbortSignal | undefined, account: ReadAccount | undefined): Promise<Uint8Array> {
		let cached = this.blocks.get(index);
		if (cached) {
			// Most recently used last.
			this.blocks.delete(index);
			this.blocks.set(index, cached);
			return cached;
		}
		cached = this.raw(index * blockSize, blockSize, signal, account);
		cached.catch(() => this.blocks.delete(index));
		this.blocks.set(index, cached);
		while (this.blocks.size > cachedBlocks) this.blocks.delete(this.blocks.keys().next().value!);
		return cached;
	}

	private async raw(
		offset: number,
		length: number,
		signal: AbortSignal | undefined,
		account: ReadAccount | undefined,
	): Promise<Uint8Array> {
		const size = this.reader.size();
		const wanted = size === undefined ? length : Math.max(0, Math.min(length, size - offset));
		if (wanted === 0) return new Uint8Array(0);
		const bytes = await this.reader.read(offset, wanted, signal, account);
		this.bytesRead += bytes.length;
		return bytes;
	}
}

function copy(bytes: Uint8Array): ArrayBuffer {
	return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * A local file: positional reads, each on a handle of its own. Sources have no close in their contract, so
 * no handle outlives the read it serves (opening a file is microseconds; a tile is a few reads).
 */
export async function localReader(file: string): Promise<RangeReader> {
	const {size} = await stat(file);
	return {
		name: file,
		size: () => size,
		async read(offset, length, signal, account) {
			if (signal?.aborted) throw abortError(signal);
			const buffer = new Uint8Array(length);
			const handle = await open(file, 'r');
			let bytesRead: number;
			try {
				({bytesRead} = await handle.read(buffer, 0, length, offset));
			} finally {
				await handle.close();
			}
			if (account) {
				account.bytes += bytesRead;
				account.onBytes?.(account.bytes);
			}
			return buffer.subarray(0, bytesRead);
		},
		close: async () => {},
	};
}

/** Why an answer to a Range request cannot be used; `permanent` ones are not retried. */
export class RangeProblem extends Error {
	constructor(
		message: string,
		readonly permanent: boolean,
		readonly status?: number,
	) {
		super(message);
	}
}

export type HttpReaderOptions = {
	/** The URL to request (urlRewrite applied); `name` is what messages show. */
	url: string;
	name: string;
	transport: Transport;
	retry?: Partial<RetryPolicy>;
	signal?: AbortSignal;
};

/** The total of a `Content-Range: bytes a-b/total` header; undefined for `*` or none. */
export function rangeTotal(contentRange: string | undefined): number | undefined {
	const total = /\/\s*(\d+)\s*$/.exec(contentRange ?? '')?.[1];
	return total === undefined ? undefined : Number(total);
}

/**
 * An http(s) file read by Range requests through the transport: one attempt per transport call, transient
 * failures (connection, 5xx, 429) retried with the run's policy, and a server that answers a range with the
 * whole file refused (it would send gigabytes for every tile).
 */
export function httpReader(options: HttpReaderOptions): RangeReader {
	const retry = {...defaultRetryPolicy, ...options.retry};
	let size: number | undefined;
	const once = async (offset: number, length: number, signal: AbortSignal, account?: ReadAccount) => {
		let seen = 0;
		const response = await options.transport(options.url, {
			signal,
			headers: {range: `bytes=${offset}-${offset + length - 1}`},
			// The range and a little: a server that ignores Range and sends the whole file is cut off early.
			maxBytes: length + 64 * 1024,
			onBytes: (received) => {
				if (account) {
					account.bytes += received - seen;
					account.onBytes?.(account.bytes);
				}
				seen = received;
			},
		});
		if (account) {
			account.bytes += response.body.byteLength - seen;
			account.onBytes?.(account.bytes);
		}
		if (response.status === 206) {
			size ??= rangeTotal(response.contentRange);
			return response.body.subarray(0, length);
		}
		if (response.status === 416) return new Uint8Array(0);
		if (response.status === 200)
			throw new RangeProblem(
				'the server answered a range request with the whole file: it does not support range requests',
				true,
				200,
			);
		const transient = response.status >= 500 || response.status === 429 || response.status === 408;
		throw new RangeProblem(`HTTP ${response.status}`, !transient, response.status);
	};
	return {
		name: options.name,
		size: () => size,
		async read(offset, length, callerSignal, account) {
			const signal = callerSignal ?? options.signal ?? new AbortController().signal;
			for (let attempt = 1; ; attempt++) {
				if (account) account.attempts++;
				let reason: string;
				try {
					return await once(offset, length, signal, account);
				} catch (error) {
					if (signal.aborted) throw abortError(signal);
					if (error instanceof RangeProblem) {
						if (error.permanent) throw error;
						reason = error.message;
					} else if (error instanceof TransportError) {
						if (error.code === 'ENOTFOUND' || error.code === 'ECONNREFUSED' || error.code === 'ERR_BODY_TOO_LARGE')
							throw error;
						reason = error.message;
					} else {
						throw error;
					}
				}
				if (attempt > retry.retries)
					throw new RunError(`${options.name}: ${redact(reason)} (gave up after ${attempt} attempts)`);
				account?.onRetry?.(attempt, redact(reason));
				await waitBeforeRetry(retry, attempt, signal);
			}
		},
		close: async () => {},
	};
}
