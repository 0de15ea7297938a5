/** GDAL, the independent reader and reference: tests that need it are skipped only where it is not installed. */
import {spawnSync} from 'node:child_process';

export const hasGdal = ['gdalinfo', 'gdalwarp', 'ogrinfo', 'gdalsrsinfo'].every(
	(command) => spawnSync(command, ['--version']).status === 0,
);
