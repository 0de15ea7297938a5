/** Credentials never leave the process: every URL or message we print, store or throw goes through this. */
export function redact(text: string): string {
	return text.replace(/([?&]token=)[^&#\s"'<>]*/gi, '$1REDACTED');
}
