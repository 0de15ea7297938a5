import {useCallback, useLayoutEffect, useRef} from 'react';
import {useInput, type Key} from 'ink';

type Handler = (input: string, key: Key) => void;

const noKey: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
};

/** What a lone control character means, as Ink would report it had it come alone. */
function controlKey(character: string): [string, Key] {
	switch (character) {
		case '\r':
		case '\n':
			return ['', {...noKey, return: true}];
		case '\t':
			return ['', {...noKey, tab: true}];
		case '\x7f':
		case '\b':
			return ['', {...noKey, backspace: true}];
		default:
			return [String.fromCharCode(character.charCodeAt(0) + 96), {...noKey, ctrl: true}];
	}
}

/**
 * Ink's useInput, but keys that arrive together in one chunk (fast typing, key repeat, SSH batching
 * them into one packet) are handled one by one instead of as one pasted string, which no screen would
 * recognise. With `keepText`, runs of printable characters stay together (a pasted value in a text field).
 */
export function useKeys(handler: Handler, options: {isActive?: boolean; keepText?: boolean} = {}): void {
	// Ink subscribes its listener again whenever the handler changes; one stable listener calling the
	// newest render's handler leaves no moment in which a key meets an old one.
	const latest = useRef(handler);
	useLayoutEffect(() => {
		latest.current = handler;
	});
	const keepText = options.keepText;
	const listener = useCallback(
		(input: string, key: Key) => {
			const handler = latest.current;
			// eslint-disable-next-line no-control-regex
			const plainChunk = input.length > 1 && !key.ctrl && !key.meta && !/\x1b/.test(input);
			if (!plainChunk) return handler(input, key);
			// eslint-disable-next-line no-control-regex
			const pieces = keepText ? (input.match(/[\x00-\x1f\x7f]|[^\x00-\x1f\x7f]+/g) ?? []) : [...input];
			for (const piece of pieces) {
				// eslint-disable-next-line no-control-regex
				if (/^[\x00-\x1f\x7f]$/.test(piece)) handler(...controlKey(piece));
				else handler(piece, noKey);
			}
		},
		[keepText],
	);
	useInput(listener, {isActive: options.isActive});
}
