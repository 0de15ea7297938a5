import {useCallback, useRef, useState} from 'react';

/**
 * State that key handlers read fresh: keys arrive several to a chunk, faster than renders, so
 * each key must see what the one before it set, not the last render's value.
 */
export function useKeyState<T>(initial: T): [value: T, latest: () => T, set: (next: T) => void] {
	const [value, setValue] = useState(initial);
	const latest = useRef(value);
	const set = useCallback((next: T) => {
		latest.current = next;
		setValue(next);
	}, []);
	const get = useCallback(() => latest.current, []);
	return [value, get, set];
}
