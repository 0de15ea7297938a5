import {useCallback, useEffect, useMemo, useRef, useState} from 'react';
import {Text, useApp} from 'ink';
import {useKeys} from './hooks/use-keys.js';
import type {PresetEntry} from '../app/preset-catalog.js';
import type {Preset} from '../config/preset-schema.js';
import type {LoadedPreset, saveAsUserPreset} from '../config/presets.js';
import type {LayerDescription} from '../engine/index.js';
import {messageOf} from '../errors.js';
import {AppContext, type AppContextValue} from './app-context.js';
import {Frame, tooSmall} from './components/frame.js';
import {HelpOverlay} from './components/help-overlay.js';
import {Confirm} from './components/prompt.js';
import type {ReviewSession, RunHandle, StartRun} from './engine-api.js';
import {useRunSnapshot} from './hooks/use-run-snapshot.js';
import {useTerminalSize, type TerminalSize} from './hooks/use-terminal-size.js';
import {screenKeys, type KeyHelp, type ScreenName} from './keys.js';
import {isFinished} from '../engine/status.js';
import {Dashboard, RunStatus} from './screens/dashboard.js';
import {ExtentScreen} from './screens/extent.js';
import {PresetsScreen} from './screens/presets.js';
import {ReviewScreen} from './screens/review.js';
import {WrittenScreen} from './screens/written.js';
import {presetCopy} from './preset-copy.js';
import {writtenLine, type WriteResult} from './summary.js';
import {ThemeContext, themeFor} from './theme.js';

/** What the app uses from the rest of deepmask; tests pass the same functions with their own settings folder. */
export type AppServices = {
	catalog: () => PresetEntry[];
	startRun: StartRun;
	saveAsUserPreset: typeof saveAsUserPreset;
	deleteUserPreset: (name: string) => void;
	rememberLastPreset: (name: string) => void;
	/** Reads a preset's area layer before its run (app/area.ts); without it a preset with an area cannot start. */
	withArea?: (preset: LoadedPreset) => Promise<LoadedPreset>;
	/** What each layer of a preset will read, asked of its sources (network; the embedded demo when asked for). */
	describeLayers: (preset: Preset) => Promise<LayerDescription[]>;
};

/** How the app ended: the exit code and what to print on the normal screen afterwards. */
export type AppOutcome = {code: number; summary: string[]};

/** Quit requests from outside React (signals): the exit code to end with. */
export type QuitRequests = {subscribe: (listener: (code: number) => void) => () => void};

type AppProps = {
	services: AppServices;
	initialPreset?: string;
	/** Fixed terminal size (tests); otherwise the real one, following resizes. */
	size?: TerminalSize;
	color: boolean;
	quitRequests?: QuitRequests;
	onOutcome: (outcome: AppOutcome) => void;
};

type ActiveRun = {handle: RunHandle; preset: LoadedPreset; failure?: string};

type Route =
	| {screen: 'presets'}
	| {screen: 'extent'; name: string}
	| {screen: 'run'; run: ActiveRun}
	| {screen: 'review'; run: ActiveRun; session: ReviewSession}
	| {screen: 'written'; preset: string; result: WriteResult};

const titles: Record<ScreenName, string> = {
	presets: 'Presets',
	extent: 'Extent',
	run: 'Run',
	review: 'Review',
	written: 'Written',
};

/** How long a quit waits for a cancelled run to stop before leaving anyway. */
const STOP_WAIT_MS = 5000;

function freeName(base: string, taken: Set<string>): string {
	for (let index = 1; ; index++) {
		const name = index === 1 ? `${base}-copy` : `${base}-copy-${index}`;
		if (!taken.has(name)) return name;
	}
}

export function App({services, initialPreset, size: fixedSize, color, quitRequests, onOutcome}: AppProps) {
	const {exit} = useApp();
	const size = useTerminalSize(fixedSize);
	const theme = useMemo(() => themeFor(color), [color]);
	const [entries, setEntries] = useState<PresetEntry[]>(() => services.catalog());
	const [drafts, setDrafts] = useState<Record<string, LoadedPreset>>({});
	const [selected, setSelected] = useState(() =>
		entries.some((entry) => entry.name === initialPreset)
			? initialPreset!
			: (entries.find((entry) => entry.name === 'demo')?.name ?? entries[0]?.name ?? ''),
	);
	const [route, setRoute] = useState<Route>({screen: 'presets'});
	const [notice, setNotice] = useState<string>();
	const [help, setHelp] = useState(false);
	const [askQuit, setAskQuit] = useState(false);
	const [closing, setClosing] = useState<string>();
	const [hints, setHints] = useState<KeyHelp[]>();
	const summary = useRef<string[]>([]);
	const routeRef = useRef(route);
	useEffect(() => {
		routeRef.current = route;
	}, [route]);

	// How many text fields and prompts take the keys now; read by the key handler, so a ref, not state.
	const capturedNow = useRef(0);
	const captureKeys = useCallback((delta: 1 | -1) => {
		capturedNow.current += delta;
	}, []);
	const context: AppContextValue = useMemo(
		() => ({size, screenActive: !help && !askQuit && !closing && !tooSmall(size), captureKeys, showHints: setHints}),
		[size, help, askQuit, closing, captureKeys],
	);

	const runIsLive = (current: Route) =>
		current.screen === 'run' && !isFinished(current.run.handle.snapshot()) && !current.run.failure;

	const closingRef = useRef(false);
	const finish = useCallback(
		async (code: number) => {
			// A second quit while the first waits for the run to stop: leave now.
			if (closingRef.current) {
				onOutcome({code, summary: summary.current});
				exit();
				return;
			}
			closingRef.current = true;
			const current = routeRef.current;
			if (current.screen === 'run' && !isFinished(current.run.handle.snapshot())) {
				setClosing('stopping the run…');
				current.run.handle.cancel();
				await Promise.race([
					current.run.handle.review.catch(() => undefined),
					new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref()),
				]);
				const {runDir} = current.run.handle.snapshot();
				summary.current.push(
					`run of ${current.run.preset.name} cancelled${runDir ? `; finished tiles are kept in ${runDir} (run it again to resume)` : ''}`,
				);
			} else if (current.screen === 'review') {
				setClosing('discarding the results…');
				await current.session.discard().catch(() => undefined);
				summary.current.push(`results of ${current.run.preset.name} discarded (nothing written)`);
			}
			onOutcome({code, summary: summary.current});
			exit();
		},
		[exit, onOutcome],
	);

	useEffect(() => quitRequests?.subscribe((code) => void finish(code)), [quitRequests, finish]);

	useKeys((input, key) => {
		if (key.ctrl && input === 'c') return void finish(130);
		if (closing) return;
		if (help) {
			if (key.escape || input === '?' || input === 'q') setHelp(false);
			return;
		}
		if (capturedNow.current > 0 || askQuit) return;
		if (input === '?') setHelp(true);
		else if (input === 'q') {
			if (runIsLive(route) || route.screen === 'review' || route.screen === 'extent' || Object.keys(drafts).length > 0)
				setAskQuit(true);
			else void finish(0);
		}
	});

	const reload = (select?: string) => {
		const next = services.catalog();
		setEntries(next);
		if (select !== undefined) setSelected(select);
		else if (!next.some((entry) => entry.name === selected)) setSelected(next[0]?.name ?? '');
	};

	const startRun = (preset: LoadedPreset) => {
		if (preset.preset.area && !preset.area && services.withArea) {
			setNotice(`reading the area ${preset.preset.area.source}…`);
			services.withArea(preset).then(
				(withArea) => {
					setNotice(undefined);
					startRun(withArea);
				},
				(error: unknown) => setNotice(`cannot start: ${messageOf(error)}`),
			);
			return;
		}
		let handle: RunHandle;
		try {
			handle = services.startRun({preset});
		} catch (error) {
			setNotice(`cannot start: ${messageOf(error)}`);
			setRoute({screen: 'presets'});
			return;
		}
		try {
			services.rememberLastPreset(preset.name);
		} catch {
			// Remembering is a convenience; a read-only config folder must not stop the run.
		}
		const run: ActiveRun = {handle, preset};
		setRoute({screen: 'run', run});
		handle.review.then(
			(session) =>
				setRoute((current) =>
					current.screen === 'run' && current.run === run ? {screen: 'review', run, session} : current,
				),
			(error: unknown) => {
				run.failure = messageOf(error);
				setRoute((current) => (current.screen === 'run' && current.run === run ? {screen: 'run', run} : current));
			},
		);
	};

	const presetOf = (name: string): LoadedPreset | undefined =>
		drafts[name] ?? entries.find((entry) => entry.name === name)?.loaded;

	const save = (name: string, as: string) => {
		const preset = presetOf(name);
		if (!preset) return;
		try {
			services.saveAsUserPreset(as, presetCopy(preset.raw, name, as), preset.preset);
		} catch (error) {
			setNotice(messageOf(error));
			return;
		}
		setDrafts(({[name]: _saved, ...rest}) => rest);
		setNotice(`saved user preset "${as}"`);
		reload(as);
	};

	let screen: ScreenName = route.screen;
	let body;
	switch (route.screen) {
		case 'presets':
			body = (
				<PresetsScreen
					entries={entries}
					drafts={drafts}
					selected={selected}
					notice={notice}
					onSelect={(pick) => {
						setSelected(pick);
						setNotice(undefined);
					}}
					onRun={startRun}
					describeLayers={services.describeLayers}
					onEdit={(name) => setRoute({screen: 'extent', name})}
					onDuplicate={(name) => save(name, freeName(name, new Set(entries.map((entry) => entry.name))))}
					onSave={save}
					onDelete={(name) => {
						try {
							services.deleteUserPreset(name);
						} catch (error) {
							setNotice(messageOf(error));
							return;
						}
						setDrafts(({[name]: _deleted, ...rest}) => rest);
						setNotice(`deleted user preset "${name}"`);
						const index = entries.findIndex((entry) => entry.name === name);
						const next = services.catalog();
						setEntries(next);
						setSelected(next[Math.min(index, next.length - 1)]?.name ?? '');
					}}
				/>
			);
			break;
		case 'extent': {
			const original = entries.find((entry) => entry.name === route.name)?.loaded;
			if (!original) {
				screen = 'presets';
				body = <Text>no such preset</Text>;
				break;
			}
			body = (
				<ExtentScreen
					original={original}
					initial={drafts[route.name] ?? original}
					onBack={(edited) => {
						setDrafts(({[route.name]: _old, ...rest}) => (edited ? {...rest, [route.name]: edited} : rest));
						setNotice(edited ? `edits to "${route.name}" kept (s saves them as a user preset)` : undefined);
						setRoute({screen: 'presets'});
					}}
					onRun={(edited) => {
						setDrafts((current) => ({...current, [route.name]: edited}));
						startRun(edited);
					}}
				/>
			);
			break;
		}
		case 'run':
			body = (
				<Dashboard
					handle={route.run.handle}
					failure={route.run.failure}
					onBack={() => {
						setNotice(route.run.failure ?? route.run.handle.snapshot().message);
						setRoute({screen: 'presets'});
					}}
				/>
			);
			break;
		case 'review':
			body = (
				<ReviewScreen
					handle={route.run.handle}
					session={route.session}
					onWritten={(result) => {
						const line = writtenLine(route.run.preset.name, result);
						summary.current.push(line);
						setNotice(line);
						setRoute({screen: 'written', preset: route.run.preset.name, result});
					}}
					onDiscarded={() => {
						setNotice(`results of ${route.run.preset.name} discarded`);
						setRoute({screen: 'presets'});
					}}
				/>
			);
			break;
		case 'written':
			body = <WrittenScreen preset={route.preset} result={route.result} onDone={() => setRoute({screen: 'presets'})} />;
			break;
	}

	const name = presetNameOf(route);
	const status = route.screen === 'run' || route.screen === 'review' ? <LiveStatus handle={route.run.handle} /> : null;
	return (
		<ThemeContext.Provider value={theme}>
			<AppContext.Provider value={context}>
				<Frame
					size={size}
					title={`${titles[screen]}${name ? ` · ${name}` : ''}`}
					status={status}
					keys={hints ?? screenKeys[screen]}
					prompt={
						askQuit || closing ? (
							<>
								{askQuit ? (
									<Confirm
										question={quitQuestion(route, drafts)}
										onYes={() => {
											setAskQuit(false);
											void finish(0);
										}}
										onNo={() => setAskQuit(false)}
									/>
								) : null}
								{closing ? <Text color={theme.warn}>{closing}</Text> : null}
							</>
						) : undefined
					}
				>
					{help ? <HelpOverlay screenTitle={titles[screen]} keys={screenKeys[screen]} /> : body}
				</Frame>
			</AppContext.Provider>
		</ThemeContext.Provider>
	);
}

function presetNameOf(route: Route): string | undefined {
	if (route.screen === 'extent') return route.name;
	if (route.screen === 'written') return route.preset;
	return route.screen === 'presets' ? undefined : route.run.preset.name;
}

function quitQuestion(route: Route, drafts: Record<string, LoadedPreset>): string {
	if (route.screen === 'review') return 'Quit without writing? The results are discarded.';
	if (route.screen === 'run') return 'A run is going on. Cancel it and quit?';
	return `Quit? Unsaved preset edits (${route.screen === 'extent' ? route.name : Object.keys(drafts).join(', ')}) are lost.`;
}

function LiveStatus({handle}: {handle: RunHandle}) {
	const {snapshot, now} = useRunSnapshot(handle);
	return <RunStatus snapshot={snapshot} now={now} />;
}
