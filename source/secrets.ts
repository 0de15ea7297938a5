/**
 * The secrets this process holds (service tokens): once registered, their literal value and its
 * URL-encoded forms are cut out of every message, event and state file, wherever an upstream server
 * or a library echoes them. A leaf module, so that config, engine and the command line share one list.
 */
const hidden = 'REDACTED';
/** Shorter values would match ordinary text; no real token is this short. */
const shortest = 6;
const secrets = new Set<string>();

export function registerSecret(value: string): void {
	if (value.length < shortest) return;
	for (const form of [value, encodeURIComponent(value), new URLSearchParams({s: value}).toString().slice(2)])
		secrets.add(form);
}

/** `text` with every registered secret replaced, longest first (so that an encoded form is cut whole). */
export function redactSecrets(text: string): string {
	let redacted = text;
	for (const secret of [...secrets].sort((a, b) => b.length - a.length)) redacted = redacted.split(secret).join(hidden);
	return redacted;
}

/** A value named as a secret (a token field) shown in a message: never its text. */
export function hiddenValue(): string {
	return `(${hidden})`;
}
