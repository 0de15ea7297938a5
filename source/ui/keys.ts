/** Every key of the app, per screen: the one source for the hint bar and the `?` help overlay. */
export type KeyHelp = {keys: string; action: string; hint?: string};

export type ScreenName = 'presets' | 'extent' | 'run' | 'review' | 'written';

export const globalKeys: KeyHelp[] = [
	{keys: '?', action: 'show or hide this help', hint: 'help'},
	{keys: 'q', action: 'quit (asks first while a run is active or unwritten)', hint: 'quit'},
	{keys: 'Ctrl-C', action: 'quit now (cancels a run, exit code 130)'},
	{keys: 'Esc', action: 'back, close a prompt or this help'},
	{keys: 'Tab', action: 'next pane (Shift-Tab previous)'},
	{keys: '↑ ↓  j k', action: 'move in the focused list or pane'},
	{keys: 'g G  Home End', action: 'first or last row of a list'},
	{keys: 'PgUp PgDn', action: 'a page up or down in a list'},
];

export const screenKeys: Record<ScreenName, KeyHelp[]> = {
	presets: [
		{keys: 'Enter  r', action: 'start a run with the selected preset (r runs on Extent too)', hint: 'run'},
		{keys: 'e', action: 'edit the extent, grid and snapping', hint: 'edit'},
		{keys: 'd', action: 'duplicate as a new user preset', hint: 'dup'},
		{keys: 's', action: 'save (with edits) as a user preset', hint: 'save'},
		{keys: 'x', action: 'delete the selected user preset', hint: 'del'},
	],
	extent: [
		{keys: 'Enter', action: 'edit the selected field (Enter again to apply)', hint: 'edit field'},
		{keys: '← →  Space', action: 'change a choice field (snap, align grid)'},
		{keys: 'm', action: 'switch between corners and centre + size', hint: 'corners/centre'},
		{keys: 'r', action: 'start a run with this extent', hint: 'run'},
		{keys: 'u', action: 'undo all edits (back to the preset as saved)'},
		{keys: 'Esc', action: 'back to the presets, keeping valid edits', hint: 'back'},
	],
	run: [
		{keys: 'p', action: 'pause or resume inference (downloads go on)', hint: 'pause'},
		{keys: 'c', action: 'cancel the run (asks first; finished tiles are kept)', hint: 'cancel'},
		{keys: 'Esc', action: 'back to the presets once the run has ended'},
	],
	review: [
		{keys: '+ -  ← →', action: "threshold up or down by 0.05 (per class: the shown class's)", hint: 'threshold'},
		// c: a multi-class run's figures of one class, then the next, then all again; t: its threshold per class or one.
		{keys: 's  c  t', action: 'sort tiles · c: next class · t: threshold per class or one', hint: 'sort'},
		{keys: 'Enter', action: 'enlarge the preview to the whole screen (Enter or Esc back)', hint: 'zoom'},
		{keys: 'v', action: 'preview: image | mask, mask over image, image, mask'},
		{keys: 'm', action: 'tile map by foreground or disagreement (◆ selected)', hint: 'map'},
		{keys: 'w', action: 'write masks and outputs (q waits until they are written)', hint: 'write'},
		{keys: 'd', action: 'discard the results (asks first)', hint: 'discard'},
	],
	written: [{keys: 'any key', action: 'back to the presets (q quits)', hint: 'presets'}],
};
