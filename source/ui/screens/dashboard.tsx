import {useState} from 'react';
import {Box, Text} from 'ink';
import {useKeyState} from '../hooks/use-key-state.js';
import {useKeys} from '../hooks/use-keys.js';
import type {LayerName} from '../../config/preset-schema.js';
import {
	etaMs,
	fetchEtaMs,
	isFinished,
	layerRate,
	modelRate,
	overallProgress,
	type RunSnapshot,
} from '../../engine/status.js';
import {useAppContext, useHints} from '../app-context.js';
import type {KeyHelp} from '../keys.js';
import {Pane} from '../components/pane.js';
import {ProgressBar} from '../components/progress-bar.js';
import {Confirm} from '../components/prompt.js';
import {formatBytes} from '../../app/format.js';
import {fit, formatDuration, formatPercent} from '../format.js';
import type {RunHandle} from '../engine-api.js';
import {useRunSnapshot} from '../hooks/use-run-snapshot.js';
import {useTheme} from '../theme.js';
import {wrapText} from '../wrap.js';

type DashboardProps = {
	handle: RunHandle;
	/** Set when the run failed or was cancelled (the review promise rejected). */
	failure?: string;
	onBack: () => void;
	/** For `deepmask watch`: no pause or cancel, no footer row with their keys. */
	readOnly?: boolean;
};

const panes = ['downloads', 'inference', 'log'] as const;
type PaneName = (typeof panes)[number];

function DownloadsPane({
	snapshot,
	now,
	live,
	width,
	rows,
	focused,
	scroll,
}: {
	snapshot: RunSnapshot;
	now: number;
	/** False while paused, cancelling or ended: no ETA. */
	live: boolean;
	width: number;
	rows: number;
	focused: boolean;
	scroll: number;
}) {
	const layers = Object.entries(snapshot.downloads) as Array<
		[LayerName, NonNullable<RunSnapshot['downloads'][LayerName]>]
	>;
	const inFlight = layers.flatMap(([layer, progress]) => progress.inFlight.map((tile) => ({layer, ...tile})));
	const retries = layers.reduce((sum, [, progress]) => sum + progress.retries, 0);
	const barWidth = Math.max(4, width - 4 - 8 - 10);
	const left = live ? fetchEtaMs(snapshot, now) : undefined;
	const eta = left === 0 ? undefined : left;
	const listRows = Math.max(0, rows - layers.length - 1);
	const first = Math.min(scroll, Math.max(0, inFlight.length - listRows));
	return (
		<Pane
			title={`Downloads${eta === undefined ? '' : ` · ETA ${formatDuration(eta)}`}`}
			focused={focused}
			width={width + 4}
		>
			{layers.map(([layer, progress]) => (
				<Text key={layer} wrap="truncate">
					{fit(layer, 4)}
					<ProgressBar fraction={progress.total ? progress.done / progress.total : 0} width={barWidth} />
					{` ${`${progress.done}/${progress.total}`.padStart(7)} ${`${formatBytes(layerRate(progress).bytesPerSecond)}/s`.padStart(9)}`}
				</Text>
			))}
			<Text wrap="truncate" dimColor>
				{`in flight ${inFlight.length} · retries ${retries}`}
			</Text>
			{inFlight.slice(first, first + listRows).map((tile) => (
				<Text key={`${tile.layer}${tile.tileId}`} wrap="truncate">
					{` ${tile.tileId} ${fit(tile.layer, 3)} ${formatBytes(tile.bytes).padStart(8)} ${formatDuration(now - tile.startedAt).padStart(5)}${tile.attempt > 1 ? ` try ${tile.attempt}` : ''}`}
				</Text>
			))}
		</Pane>
	);
}

function InferencePane({snapshot, width, focused}: {snapshot: RunSnapshot; width: number; focused: boolean}) {
	const theme = useTheme();
	// One execution provider for all (the usual case) goes in the title, leaving the names room.
	const providers = [...new Set(snapshot.models.map((model) => model.provider))];
	const sameProvider = providers.length === 1 ? providers[0] : undefined;
	const providerWidth = sameProvider === undefined ? 7 : 0;
	// name, bar, " done/total", " 12.3/s", [" cpu "], " 123ms"
	const fixed = 1 + 6 + 7 + providerWidth + 6;
	const nameWidth = Math.min(
		16,
		Math.max(8, ...snapshot.models.map((model) => model.name.length)),
		Math.max(8, width - fixed - 3),
	);
	const barWidth = Math.max(3, width - nameWidth - fixed);
	const total = snapshot.tiles;
	const row = (label: string, done: number) => (
		<Text wrap="truncate">
			{fit(label, nameWidth)} <ProgressBar fraction={total ? done / total : 0} width={barWidth} />
			{` ${`${done}/${total}`.padStart(5)}`}
		</Text>
	);
	const reason = snapshot.models.find((model) => model.providerReason)?.providerReason;
	return (
		<Pane
			title={`Inference${sameProvider && sameProvider !== '…' ? ` · ${sameProvider}` : ''}`}
			focused={focused}
			flexGrow={1}
		>
			{snapshot.models.map((model) => {
				const rate = modelRate(model);
				return (
					<Text key={model.name} wrap="truncate">
						{fit(model.name, nameWidth)} <ProgressBar fraction={total ? model.done / total : 0} width={barWidth} />
						{` ${`${model.done}/${total}`.padStart(5)} ${`${rate.tilesPerSecond.toFixed(1)}/s`.padStart(6)}`}
						{sameProvider === undefined ? (
							<Text color={model.provider === 'cpu' ? undefined : theme.ok}>{` ${fit(model.provider, 6)}`}</Text>
						) : null}
						{` ${`${Math.round(rate.msPerTile)}ms`.padStart(5)}`}
					</Text>
				);
			})}
			{row('ensemble', snapshot.inferred)}
			{row('writing', snapshot.written)}
			{reason ? <Text dimColor>{reason}</Text> : null}
		</Pane>
	);
}

function LogPane({
	snapshot,
	rows,
	focused,
	scroll,
}: {
	snapshot: RunSnapshot;
	rows: number;
	focused: boolean;
	scroll: number;
}) {
	const theme = useTheme();
	const end = Math.max(0, snapshot.log.length - scroll);
	const lines = snapshot.log.slice(Math.max(0, end - rows), end);
	return (
		<Pane title={scroll > 0 ? `Log (${scroll} newer below)` : 'Log'} focused={focused} flexGrow={1}>
			{lines.map((line, index) => (
				<Text
					key={`${line.at}-${index}`}
					wrap="truncate"
					color={line.level === 'error' ? theme.error : line.level === 'warn' ? theme.warn : undefined}
				>
					<Text dimColor>{new Date(line.at).toTimeString().slice(0, 8)} </Text>
					{line.message}
				</Text>
			))}
		</Pane>
	);
}

/** Downloads and inference overlap (the fetch stage starts last); once tiles are inferred, say both. */
function stageLabel(snapshot: RunSnapshot): string {
	const inferring = snapshot.models.some((model) => model.done > 0) && snapshot.inferred < snapshot.tiles;
	return snapshot.stage === 'fetch' && inferring ? 'fetch + infer' : (snapshot.stage ?? '');
}

export function RunStatus({snapshot, now}: {snapshot: RunSnapshot; now: number}) {
	const theme = useTheme();
	// Waiting in review is the user's time, not the run's: the clock stops at the review's start.
	const reviewing = snapshot.state === 'running' && snapshot.stage === 'review';
	const color =
		snapshot.state === 'failed'
			? theme.error
			: snapshot.state === 'done'
				? theme.ok
				: snapshot.state === 'running'
					? theme.accent
					: theme.warn;
	const end = isFinished(snapshot) || reviewing ? snapshot.updatedAt : now;
	return (
		<Text>
			<Text color={color} bold>
				{reviewing ? 'review' : snapshot.state}
			</Text>
			{snapshot.stage && !isFinished(snapshot) && !reviewing ? ` · ${stageLabel(snapshot)}` : ''} ·{' '}
			{formatDuration(end - snapshot.startedAt)}
		</Text>
	);
}

/** The dashboard's keys as the run stands: what p does, nothing to pause once cancelling, Esc once ended. */
function dashboardHints(mode: 'running' | 'paused' | 'cancelling' | 'finished'): KeyHelp[] {
	const pane = {keys: 'Tab', action: '', hint: 'pane'};
	if (mode === 'finished') return [{keys: 'Esc', action: '', hint: 'back'}, pane];
	if (mode === 'cancelling') return [{keys: '', action: '', hint: 'cancelling: waiting for the work in flight'}, pane];
	return [
		{keys: 'p', action: '', hint: mode === 'paused' ? 'resume' : 'pause'},
		{keys: 'c', action: '', hint: 'cancel'},
		pane,
	];
}

export function Dashboard({handle, failure, onBack, readOnly = false}: DashboardProps) {
	const {size, screenActive} = useAppContext();
	const theme = useTheme();
	const {snapshot, now, refresh} = useRunSnapshot(handle);
	const [focus, latestFocus, setFocus] = useKeyState<PaneName>('downloads');
	const [scroll, setScroll] = useState<Record<PaneName, number>>({downloads: 0, inference: 0, log: 0});
	const [askCancel, setAskCancel] = useState(false);
	/** When the user cancelled: the run takes a while to stop, and nothing it shows may look live meanwhile. */
	const [cancelledAt, setCancelledAt] = useState<number>();
	const [note, setNote] = useState<string>();
	const finished = isFinished(snapshot) || failure !== undefined;
	const mode = finished
		? 'finished'
		: cancelledAt !== undefined
			? 'cancelling'
			: snapshot.state === 'paused'
				? 'paused'
				: 'running';
	useHints(readOnly ? undefined : dashboardHints(mode));
	// Durations and the ETA stop where the run stopped (or was asked to).
	const clock = finished ? snapshot.updatedAt : (cancelledAt ?? now);

	useKeys(
		(input, key) => {
			const down = key.downArrow || input === 'j';
			const up = key.upArrow || input === 'k';
			setNote(undefined);
			if (key.tab) setFocus(panes[(panes.indexOf(latestFocus()) + (key.shift ? panes.length - 1 : 1)) % panes.length]);
			else if (down || up) {
				// The log scrolls back from the newest line; the in-flight list scrolls forward.
				const pane = latestFocus();
				const step = (pane === 'log' ? up : down) ? 1 : -1;
				setScroll((value) => ({...value, [pane]: Math.max(0, value[pane] + step)}));
			} else if (readOnly) {
				return;
			} else if ((input === 'p' || input === 'c') && (finished || cancelledAt !== undefined)) {
				setNote(finished ? `the run has ended (${snapshot.state}); Esc goes back` : 'the run is being cancelled');
			} else if (input === 'p') {
				if (handle.snapshot().state === 'paused') handle.resume();
				else handle.pause();
				refresh();
			} else if (input === 'c') setAskCancel(true);
			else if (key.escape && finished) onBack();
			else if (key.escape) setNote('Esc goes back once the run has ended; c cancels it');
		},
		{isActive: screenActive && !askCancel},
	);

	const bodyRows = size.rows - 1 - (readOnly ? 1 : 2);
	const layerCount = Object.keys(snapshot.downloads).length;
	const inFlightCount = Object.values(snapshot.downloads).reduce(
		(sum, layer) => sum + (layer?.inFlight.length ?? 0),
		0,
	);
	// The top panes take what the in-flight list and the models need; the log keeps at least 5 rows and the rest.
	const reason = snapshot.models.find((model) => model.providerReason)?.providerReason;
	const reasonRows = reason
		? wrapText(reason, size.columns - Math.max(30, Math.floor(size.columns * 0.45)) - 6).length
		: 0;
	const topWanted = 2 + Math.max(layerCount + 1 + inFlightCount, snapshot.models.length + 2 + reasonRows);
	const topRows = Math.max(6, Math.min(topWanted, bodyRows - 2 - 3 - 5));
	const logRows = Math.max(1, bodyRows - topRows - 2 - 3);
	const downloadsInner = Math.max(30, Math.floor(size.columns * 0.45) - 4);
	const inferenceInner = size.columns - downloadsInner - 8;
	const progress = overallProgress(snapshot);
	const eta = mode === 'running' ? etaMs(snapshot, now) : undefined;
	const elapsed = clock - snapshot.startedAt;
	const barWidth = Math.max(10, size.columns - 44);

	const status =
		mode === 'paused'
			? 'paused: p resumes (downloads go on, inference waits)'
			: mode === 'cancelling'
				? 'cancelling: finished tiles stay on disk for a resume'
				: undefined;
	let footer = note ? (
		<Text color={theme.warn} wrap="truncate">
			{note}
		</Text>
	) : (
		<Text dimColor wrap="truncate">
			{status ?? ''}
		</Text>
	);
	if (askCancel) {
		footer = (
			<Confirm
				question="Cancel the run? Finished tiles stay on disk for a resume."
				isActive={screenActive}
				onNo={() => setAskCancel(false)}
				onYes={() => {
					setAskCancel(false);
					setCancelledAt(Date.now());
					handle.cancel();
					refresh();
				}}
			/>
		);
	} else if (finished && snapshot.state !== 'done' && !note) {
		footer = (
			<Text color={theme.error} wrap="truncate">
				{`Esc back · ${failure ?? snapshot.message ?? `run ${snapshot.state}`}`}
			</Text>
		);
	}

	return (
		<Box flexDirection="column" flexGrow={1}>
			<Box height={topRows} flexShrink={0}>
				<DownloadsPane
					snapshot={snapshot}
					now={clock}
					live={mode === 'running'}
					width={downloadsInner}
					rows={topRows - 2}
					focused={focus === 'downloads'}
					scroll={scroll.downloads}
				/>
				<InferencePane snapshot={snapshot} width={inferenceInner} focused={focus === 'inference'} />
			</Box>
			<LogPane snapshot={snapshot} rows={logRows} focused={focus === 'log'} scroll={scroll.log} />
			<Text wrap="truncate">
				{'overall '}
				<ProgressBar fraction={progress} width={barWidth} />
				{` ${formatPercent(progress, 0).padStart(4)}  elapsed ${formatDuration(elapsed)}  ETA ${eta === undefined ? '–' : formatDuration(eta)}`}
			</Text>
			{readOnly ? null : (
				<Box height={1} flexShrink={0}>
					{footer}
				</Box>
			)}
		</Box>
	);
}
