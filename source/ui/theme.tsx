import {createContext, useContext} from 'react';

/**
 * Colours of the app. Under NO_COLOR every colour is undefined, so no component emits one
 * whatever chalk detected; styles (bold, dim, inverse) stay, as NO_COLOR allows.
 */
export type Theme = {
	color: boolean;
	accent?: string;
	focus?: string;
	ok?: string;
	warn?: string;
	error?: string;
	bar?: string;
};

export function themeFor(color: boolean): Theme {
	if (!color) return {color: false};
	return {color: true, accent: 'cyan', focus: 'cyan', ok: 'green', warn: 'yellow', error: 'red', bar: 'green'};
}

/** NO_COLOR (https://no-color.org): any non-empty value turns colour off. */
export function colorWanted(env: NodeJS.ProcessEnv = process.env): boolean {
	return !env.NO_COLOR;
}

export const ThemeContext = createContext<Theme>(themeFor(true));

export function useTheme(): Theme {
	return useContext(ThemeContext);
}
