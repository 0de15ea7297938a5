import {redactSecrets} from '../../secrets.js';

/**
 * Credentials never leave the process: every URL or message we print, store or throw goes through this.
 * `token=` query values go whatever they are; registered tokens (secrets.ts) go wherever they appear.
 */
export function redact(text: string): string {
	return redactSecrets(text).replace(/([?&]token=)[^&#\s"'<>]*/gi, '$1REDACTED');
}
