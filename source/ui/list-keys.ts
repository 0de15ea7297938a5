import type {Key} from 'ink';

/**
 * Where a list key moves the selection from `index` in a list of `count` rows of which `page`
 * show: j/k and arrows one row, PgUp/PgDn a page, g/Home the first, G/End the last. Undefined
 * for any other key. Callers apply it to the newest index, not the last render's: keys arrive
 * several to a chunk.
 */
export function listMove(input: string, key: Key, index: number, count: number, page: number): number | undefined {
	if (count <= 0) return undefined;
	let next: number;
	if (key.downArrow || input === 'j') next = index + 1;
	else if (key.upArrow || input === 'k') next = index - 1;
	else if (key.pageDown) next = index + Math.max(1, page);
	else if (key.pageUp) next = index - Math.max(1, page);
	else if (key.home || input === 'g') next = 0;
	else if (key.end || input === 'G') next = count - 1;
	else return undefined;
	return Math.min(count - 1, Math.max(0, next));
}

/** The first row shown so that `index` is visible in a window of `rows` rows. */
export function firstVisible(index: number, count: number, rows: number): number {
	return Math.min(Math.max(0, index - rows + 1), Math.max(0, count - rows));
}

/**
 * The rows of a list shown in `rows` lines with `index` visible: all of them, or, where the list
 * is cut, one line fewer and a last line that says how many more there are.
 */
export function listWindow(index: number, count: number, rows: number): {first: number; end: number; more: number} {
	if (count <= rows) return {first: 0, end: count, more: 0};
	const shown = Math.max(1, rows - 1);
	const first = firstVisible(index, count, shown);
	return {first, end: first + shown, more: count - shown};
}

/** A pane title's position, "12/50". */
export function position(index: number, count: number): string {
	return count === 0 ? '0' : `${index + 1}/${count}`;
}
