/** Cursor to the top-left corner. */
const HOME = '\x1b[H';

/**
 * The terminal as Ink should see it in the full-screen apps: every write starts at the top-left
 * corner. Ink 6.8's incremental rendering moves the cursor up from where it believes the last frame
 * ended; with a frame that ends in a newline it believes one row too high, draws one row low and the
 * screen scrolls by a row. The frame always starts at the top of the alternate screen, and moving up
 * from the top stays there, so starting each write at home keeps every frame in place.
 */
export function anchoredStdout(stream: NodeJS.WriteStream): NodeJS.WriteStream {
	return new Proxy(stream, {
		get(target, property) {
			if (property === 'write')
				return (chunk: string | Uint8Array, ...rest: unknown[]) =>
					(target.write as (...args: unknown[]) => boolean)(
						typeof chunk === 'string' ? HOME + chunk : Buffer.concat([Buffer.from(HOME), chunk]),
						...rest,
					);
			const value: unknown = Reflect.get(target, property, target);
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
	});
}
