import {createContext, useContext, useEffect, useLayoutEffect} from 'react';
import type {TerminalSize} from './hooks/use-terminal-size.js';
import type {KeyHelp} from './keys.js';

export type AppContextValue = {
	size: TerminalSize;
	/** False while the help overlay or a quit question owns the keyboard. */
	screenActive: boolean;
	/** Text entry takes the keys the app would take (q, ?): screens report when they type. */
	captureKeys: (delta: 1 | -1) => void;
	/** A screen's keys for the hint line as they are now (paused, cancelling, editing); undefined: its usual ones. */
	showHints: (hints: KeyHelp[] | undefined) => void;
};

export const AppContext = createContext<AppContextValue>({
	size: {columns: 80, rows: 24},
	screenActive: true,
	captureKeys: () => {},
	showHints: () => {},
});

export function useAppContext(): AppContextValue {
	return useContext(AppContext);
}

/** While `active`, printable keys belong to the caller (a text field or prompt), not to the app. */
export function useKeyCapture(active: boolean): void {
	const {captureKeys} = useAppContext();
	// In the commit itself, so a key right after the frame that ends the capture is not held back.
	useLayoutEffect(() => {
		if (!active) return;
		captureKeys(1);
		return () => captureKeys(-1);
	}, [active, captureKeys]);
}

/** The hint line follows the screen's mode: these keys while the caller is shown. */
export function useHints(hints: KeyHelp[] | undefined): void {
	const {showHints} = useAppContext();
	const key = hints?.map((hint) => `${hint.keys}\t${hint.hint ?? ''}`).join('\n');
	useEffect(() => {
		showHints(hints);
		return () => showHints(undefined);
		// The hints are compared by their text: a new array with the same keys is the same hint line.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [key, showHints]);
}
