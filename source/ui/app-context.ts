import {createContext, useContext, useEffect} from 'react';
import type {TerminalSize} from './hooks/use-terminal-size.js';

export type AppContextValue = {
	size: TerminalSize;
	/** False while the help overlay or a quit question owns the keyboard. */
	screenActive: boolean;
	/** Text entry takes the keys the app would take (q, ?): screens report when they type. */
	captureKeys: (delta: 1 | -1) => void;
};

export const AppContext = createContext<AppContextValue>({
	size: {columns: 80, rows: 24},
	screenActive: true,
	captureKeys: () => {},
});

export function useAppContext(): AppContextValue {
	return useContext(AppContext);
}

/** While `active`, printable keys belong to the caller (a text field or prompt), not to the app. */
export function useKeyCapture(active: boolean): void {
	const {captureKeys} = useAppContext();
	useEffect(() => {
		if (!active) return;
		captureKeys(1);
		return () => captureKeys(-1);
	}, [active, captureKeys]);
}
