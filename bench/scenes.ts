import {loadPreset, type LoadedPreset} from '../source/config/presets.js';
import {benchProvider} from './provider.js';

/**
 * Demo presets for the benchmarks: `tiles` tiles of `tileSize` px in a square-ish grid, in a part of the
 * demo town away from the shipped preset, so caches of earlier runs do not help.
 */
export function demoPreset(tiles: number, tileSize: number, extra: string[] = []): LoadedPreset {
	const cols = Math.ceil(Math.sqrt(tiles));
	const rows = Math.ceil(tiles / cols);
	const span = tileSize * 0.5;
	const xmin = 1_001_000;
	const ymin = 6_001_000;
	return loadPreset('demo', {
		extent: `${xmin},${ymin},${xmin + cols * span},${ymin + rows * span}`,
		set: [`tileSize=${tileSize}`, 'snap.mode=anchor', `inference.provider=${benchProvider}`, ...extra],
	});
}
