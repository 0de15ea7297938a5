const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A urlRewrite that sends loopback URLs to another origin (the embedded demo service listening on a port
 * chosen at start) and leaves every other URL alone.
 */
export function loopbackRewrite(serviceUrl: string): (url: string) => string {
	const target = new URL(serviceUrl);
	return (url) => {
		const parsed = new URL(url);
		if (!loopbackHosts.has(parsed.hostname)) return url;
		return `${target.origin}${parsed.pathname}${parsed.search}${parsed.hash}`;
	};
}
