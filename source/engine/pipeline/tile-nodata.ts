import {pathInside} from '../fs/contained.js';
import {readGeoTiffFile} from '../geo/geotiff.js';
import {tileFile} from '../run-folder/paths.js';
import {nodataOf} from './infer-stage.js';

/**
 * A tile's nodata mask as inference saw it (nodataOf), read again from its stored RGB tile and, `withDsm`, its
 * DSM tile: runs keep only which tiles have nodata pixels, so that memory stays flat.
 */
export async function readTileNodata(
	runDir: string,
	tileId: string,
	withDsm: boolean,
): Promise<Uint8Array | undefined> {
	const [rgb, dsm] = await Promise.all([
		readGeoTiffFile(pathInside(runDir, tileFile('rgb', tileId))),
		withDsm ? readGeoTiffFile(pathInside(runDir, tileFile('dsm', tileId))) : undefined,
	]);
	return nodataOf(rgb, dsm);
}
