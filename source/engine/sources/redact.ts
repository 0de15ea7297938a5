import {redactSecrets} from '../../secrets.js';

/**
 * Query parameters that carry credentials in the URLs of ArcGIS, tile and object-storage services: tokens,
 * API keys, and the signatures of presigned URLs (S3, GCS, Azure SAS).
 */
const credentialParameter =
	/([?&](?:token|access_token|api_?key|key|sig|signature|x-amz-(?:signature|credential|security-token)|x-goog-(?:signature|credential))=)[^&#\s"'<>]*/gi;
/** `user:password@` (or a bare user name) before a URL's host. */
const userInfo = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/?#\s@"'<>]+@/gi;

/**
 * Credentials never leave the process: every URL or message we print, store or throw goes through this.
 * Credential query values and user info in URLs go whatever they are; registered tokens (secrets.ts) go
 * wherever they appear.
 */
export function redact(text: string): string {
	return redactSecrets(text).replace(credentialParameter, '$1REDACTED').replace(userInfo, '$1REDACTED@');
}
