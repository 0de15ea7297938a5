/**
 * Tiles on disk (DESIGN §3.4: tiles/<layer>/<tileId>.tif) and their manifest entries: whether an
 * earlier download can be kept, and writing a new one atomically with its checksum.
 */
import {createHash} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import type {LayerName} from '../../config/preset-schema.js';
import {writeAtomic} from '../fs/atomic.js';
import type {GeoRaster} from '../geo/georaster.js';
import {decodeGeoTiff, encodeGeoTiff} from '../geo/geotiff.js';
import {fingerprintChanges, type TileFingerprint} from './tile-fingerprint.js';
import {tileFile} from './paths.js';
import type {Manifest, ManifestEntry} from './manifest.js';

export function sha256(bytes: Uint8Array): string {
	return createHash('sha256').update(bytes).digest('hex');
}

export type KeptTile = {raster: GeoRaster; bytes: number};

/**
 * The earlier download of this tile when it is still valid (done, same fingerprint, file present with
 * the recorded checksum); otherwise undefined, after telling `log` why when there was one.
 */
export async function keptTile(
	runDir: string,
	manifest: Manifest,
	layer: LayerName,
	tileId: string,
	fingerprint: TileFingerprint,
	log: (message: string) => void,
): Promise<KeptTile | undefined> {
	const entry = manifest.get(layer, tileId);
	if (!entry || entry.state !== 'done') return undefined;
	const changes = fingerprintChanges(layer, entry.fingerprint, fingerprint);
	if (changes.length > 0) {
		log(`tile ${tileId}: preset changed (${changes.join(', ')}), refetching ${layer}`);
		return undefined;
	}
	const relative = tileFile(layer, tileId);
	let bytes: Buffer;
	try {
		bytes = await readFile(path.join(runDir, relative));
	} catch {
		log(`tile ${tileId}: ${relative} is missing, refetching`);
		return undefined;
	}
	if (sha256(bytes) !== entry.sha256) {
		log(`tile ${tileId}: ${relative} does not match its recorded checksum, refetching`);
		return undefined;
	}
	try {
		return {
			raster: await decodeGeoTiff(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
			bytes: bytes.byteLength,
		};
	} catch (error) {
		log(`tile ${tileId}: ${relative} cannot be read (${(error as Error).message}), refetching`);
		return undefined;
	}
}

/**
 * The tile's GeoTIFF as stored in the run folder by whichever run or shard fetched it, without the manifest's
 * checks (another shard's manifest holds them); undefined when it is not there.
 */
export async function storedTile(runDir: string, layer: LayerName, tileId: string): Promise<GeoRaster | undefined> {
	let bytes: Buffer;
	try {
		bytes = await readFile(path.join(runDir, tileFile(layer, tileId)));
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw error;
	}
	return decodeGeoTiff(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** The GeoTIFF bytes storeTile wrote for a raster (which is not changed once stored), while the raster lives. */
const storedBytes = new WeakMap<GeoRaster, Uint8Array>();

/**
 * The GeoTIFF bytes of `raster` as this process stored it, so that a raster written again unchanged (the RGB
 * tile as a training image) is not encoded twice; undefined when it was not stored here.
 */
export function storedEncoding(raster: GeoRaster): Uint8Array | undefined {
	return storedBytes.get(raster);
}

/** Write the tile's GeoTIFF atomically and return its manifest entry (without the caller's extras). */
export async function storeTile(
	runDir: string,
	layer: LayerName,
	tileId: string,
	raster: GeoRaster,
): Promise<Pick<ManifestEntry, 'file' | 'bytes' | 'sha256'>> {
	const relative = tileFile(layer, tileId);
	const bytes = await encodeGeoTiff(raster);
	await writeAtomic(path.join(runDir, relative), bytes);
	storedBytes.set(raster, bytes);
	return {file: relative, bytes: bytes.byteLength, sha256: sha256(bytes)};
}
