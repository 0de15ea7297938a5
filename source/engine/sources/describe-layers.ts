/**
 * What each layer of a preset will read, asked of its source as a run would open it: kind, the source's CRS
 * and resolution, and the level or overview read for the plan's cell size. For `deepmask doctor --preset` and
 * the preset view.
 */
import type {LayerName, Preset} from '../../config/preset-schema.js';
import {messageOf} from '../../errors.js';
import {makePlan} from '../geo/plan.js';
import {createHttpClient} from './http-transport.js';
import {openSource} from './registry.js';
import type {SourceDescription} from './source.js';

export type LayerDescription = {
	role: LayerName;
	description?: SourceDescription;
	/** What the source warned of when opened (e.g. it does not cover the plan's extent). */
	warnings: string[];
	error?: string;
};

export async function describeLayers(
	preset: Preset,
	options: {urlRewrite?: (url: string) => string; env?: NodeJS.ProcessEnv; signal?: AbortSignal} = {},
): Promise<LayerDescription[]> {
	const plan = makePlan(preset);
	const http = createHttpClient({...preset.concurrency, timeoutMs: 30_000});
	const roles = (['rgb', 'dsm'] as const).filter((role) => preset.layers[role] !== undefined);
	try {
		return await Promise.all(
			roles.map(async (role): Promise<LayerDescription> => {
				const warnings: string[] = [];
				try {
					const source = await openSource(preset.layers[role]!, {
						role,
						epsg: plan.epsg,
						cellSize: plan.cellSize,
						planExtent: plan.adjusted,
						transport: http.transport,
						retry: {retries: 1},
						urlRewrite: options.urlRewrite,
						env: options.env,
						signal: options.signal,
						onLog: (level, message) => level === 'warn' && warnings.push(message),
					});
					return {role, description: source.describe(), warnings};
				} catch (error) {
					return {role, warnings, error: messageOf(error)};
				}
			}),
		);
	} finally {
		http.close();
	}
}
