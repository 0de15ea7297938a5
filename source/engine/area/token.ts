import type {AreaConfig} from '../../config/preset-schema.js';
import {UserError} from '../../errors.js';
import {registerSecret} from '../../secrets.js';

/** The feature layer's token by the layers' rules: the environment variable it names (which must be set), else the value. */
export function resolveAreaToken(area: AreaConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
	const {token} = area;
	if (!token) return undefined;
	if (token.env !== undefined) {
		const value = env[token.env];
		if (value) {
			registerSecret(value);
			return value;
		}
		if (token.value === undefined)
			throw new UserError(
				`area.token.env names the environment variable ${token.env}, which is not set; export ${token.env}=<your ArcGIS token> and run again`,
			);
	}
	if (token.value !== undefined) registerSecret(token.value);
	return token.value;
}
