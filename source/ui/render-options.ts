/**
 * How the full-screen apps hand their frames to Ink: Ctrl-C is the app's own key, at most ten frames
 * a second, and only the lines that changed are rewritten (over SSH a whole 80×24 screen a tick is
 * most of what is sent). bench/terminal-bytes.ts measures what this saves.
 */
export const renderOptions = {exitOnCtrlC: false, patchConsole: true, maxFps: 10, incrementalRendering: true} as const;
