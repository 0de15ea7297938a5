/** Every file name of a run folder (DESIGN §3.4); no other module spells one out. */
import path from 'node:path';
import type {LayerName} from '../../config/preset-schema.js';

export const runFiles = {
	plan: 'plan.json',
	manifest: 'manifest.json',
	status: 'status.json',
	/** Held by the run working in the folder (in a shard's own folder, by that shard). */
	lock: 'run.lock',
	masksDir: 'masks',
	probDir: 'prob',
	membersDir: path.join('prob', 'members'),
	vrt: 'masks.vrt',
	/** The mosaic as a Cloud-Optimized GeoTIFF. */
	cog: 'masks.tif',
	geojson: 'masks.geojson',
	stats: 'stats.json',
	trainingDir: 'training',
} as const;

/** A fetched tile, relative to the run folder. */
export function tileFile(layer: LayerName, tileId: string): string {
	return `tiles/${layer}/${tileId}.tif`;
}

export function maskFile(runDir: string, tileId: string): string {
	return path.join(runDir, runFiles.masksDir, `${tileId}.tif`);
}

export function probabilityFile(runDir: string, tileId: string): string {
	return path.join(runDir, runFiles.probDir, `${tileId}.tif`);
}

/** A model name as a folder name: anything but letters, digits, '.', '_' and '-' becomes '_'. */
export function memberFolderName(model: string): string {
	const name = model.replace(/[^A-Za-z0-9._-]/g, '_');
	return name === '' || name === '.' || name === '..' ? `_${name}` : name;
}

export function memberProbabilityFile(runDir: string, model: string, tileId: string): string {
	return path.join(runDir, runFiles.membersDir, memberFolderName(model), `${tileId}.tif`);
}
