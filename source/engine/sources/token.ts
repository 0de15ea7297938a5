import {UserError} from '../../errors.js';
import {registerSecret} from '../../secrets.js';
import type {LayerName, TokenConfig} from '../../config/preset-schema.js';

/** What token handling needs of a layer: every kind that takes a token has these. */
export type TokenLayer = {url: string; token?: TokenConfig};

/** The layer's token: the preset value, or the environment variable it names (which must be set). */
export function resolveToken(
	role: LayerName,
	layer: TokenLayer,
	env: NodeJS.ProcessEnv = process.env,
): string | undefined {
	if (!layer.token) return undefined;
	if (layer.token.env !== undefined) {
		const value = env[layer.token.env];
		if (value) {
			registerSecret(value);
			return value;
		}
		if (layer.token.value === undefined) {
			throw new UserError(
				`layers.${role}.token.env names the environment variable ${layer.token.env}, which is not set; export ${layer.token.env}=<your ArcGIS token> and run again`,
			);
		}
	}
	if (layer.token.value !== undefined) registerSecret(layer.token.value);
	return layer.token.value;
}

/** The message for ArcGIS 498/499 (or HTTP 401/403): what is wrong with the token and how to fix it. */
export function tokenError(role: LayerName, layer: TokenLayer, problem: {code?: number; message: string}): UserError {
	const where =
		layer.token?.env !== undefined
			? `the env var ${layer.token.env}`
			: layer.token?.value !== undefined
				? `layers.${role}.token.value`
				: undefined;
	const howToSet = `put the token in an environment variable, e.g. export ARCGIS_TOKEN=..., and point the layer at it with --set layers.${role}.token.env=ARCGIS_TOKEN`;
	if (problem.code === 499 || where === undefined) {
		return new UserError(
			`layers.${role}: token missing (${problem.message}) for ${layer.url}: ${where ? `set ${where}` : howToSet}`,
		);
	}
	return new UserError(
		`layers.${role}: token invalid or expired (${problem.message}) for ${layer.url}: set a fresh token in ${where}`,
	);
}

/** The message for a 403: the account (or anonymous access) may not use the service, and a new token will not change that. */
export function deniedError(role: LayerName, layer: TokenLayer, problem: {message: string}): UserError {
	const who = layer.token ? 'the account of the token' : 'anonymous access';
	const fix = layer.token
		? "ask the service's owner to share it with that account, or use a token of an account that has access"
		: `give a token of an account that has access (--set layers.${role}.token.env=ARCGIS_TOKEN), or ask the service's owner to share it`;
	return new UserError(`layers.${role}: ${layer.url} refuses ${who} (${problem.message}); ${fix}`);
}
