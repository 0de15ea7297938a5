/**
 * `deepmask watch`: the run dashboard, read-only, drawn from the status files of a run folder (one
 * per shard for a sharded run), with the run's liveness on top and a line per shard.
 */
import {useEffect, useMemo, useState} from 'react';
import {Box, Text, useApp} from 'ink';
import {useKeys} from '../hooks/use-keys.js';
import {emptySnapshot, overallProgress, type Liveness, type RunStatus, type StatusEntry} from '../../engine/status.js';
import {AppContext, type AppContextValue} from '../app-context.js';
import {Frame} from '../components/frame.js';
import {HelpOverlay} from '../components/help-overlay.js';
import {ProgressBar} from '../components/progress-bar.js';
import {fit, formatPercent} from '../format.js';
import {useTerminalSize, type TerminalSize} from '../hooks/use-terminal-size.js';
import type {KeyHelp} from '../keys.js';
import {Dashboard} from '../screens/dashboard.js';
import {ThemeContext, themeFor, useTheme, type Theme} from '../theme.js';
import {aggregateSnapshots} from './aggregate.js';
import {StatusHandle} from './status-handle.js';
import {useRunStatus} from './use-run-status.js';

const watchKeys: KeyHelp[] = [
	{keys: 'q  Esc', action: 'stop watching (the run goes on)'},
	{keys: 'Ctrl-C', action: 'stop watching'},
];

type WatchAppProps = {
	runDir: string;
	/** The status the command already read (so the first frame is not empty). */
	initial?: RunStatus;
	/** Fixed terminal size (tests); otherwise the real one, following resizes. */
	size?: TerminalSize;
	color: boolean;
	intervalMs?: number;
	onQuit: (code: number) => void;
};

const severity: Liveness[] = ['failed', 'stopped', 'cancelled', 'running', 'done'];

function livenessColor(theme: Theme, liveness: Liveness): string | undefined {
	if (liveness === 'done') return theme.ok;
	if (liveness === 'running') return theme.accent;
	if (liveness === 'failed' || liveness === 'stopped') return theme.error;
	return theme.warn;
}

/** What a shard line says after its bar: the stage while it runs, else the gist of its message. */
function shardNote(entry: StatusEntry): string {
	switch (entry.liveness) {
		case 'running':
			return `${entry.snapshot.stage ?? ''}${entry.host ? ` on ${entry.host}` : ''}`;
		case 'stopped':
			return `pid ${entry.pid} gone: rerun to resume`;
		case 'failed':
			return entry.snapshot.message ?? 'failed';
		default:
			return entry.liveness === 'done' ? 'finished' : 'cancelled: rerun to resume';
	}
}

function ShardLine({entry, width}: {entry: StatusEntry; width: number}) {
	const theme = useTheme();
	const {snapshot} = entry;
	const counts = `${snapshot.written || snapshot.inferred}/${snapshot.tiles} ${snapshot.written ? 'written' : 'inferred'}`;
	const note = shardNote(entry);
	// label 7, liveness 10, percentage 5, counts 18: the bar gets what the note leaves.
	const barWidth = Math.max(6, Math.min(30, width - 41 - note.length));
	return (
		<Text wrap="truncate">
			{fit(entry.shard ?? 'run', 7)}
			<Text color={livenessColor(theme, entry.liveness)}>{fit(entry.liveness, 10)}</Text>
			<ProgressBar fraction={overallProgress(snapshot)} width={barWidth} />
			{` ${formatPercent(overallProgress(snapshot), 0).padStart(4)} ${counts.padEnd(16)} `}
			<Text dimColor>{note}</Text>
		</Text>
	);
}

export function WatchApp({runDir, initial, size: fixedSize, color, intervalMs, onQuit}: WatchAppProps) {
	const {exit} = useApp();
	const size = useTerminalSize(fixedSize);
	const theme = useMemo(() => themeFor(color), [color]);
	const {status, error} = useRunStatus(runDir, initial, intervalMs);
	const [help, setHelp] = useState(false);
	const snapshot = useMemo(
		() =>
			status &&
			aggregateSnapshots(status.statuses.map((entry) => ({label: entry.shard ?? 'run', snapshot: entry.snapshot}))),
		[status],
	);
	const [handle] = useState(() => new StatusHandle(snapshot ?? emptySnapshot()));
	useEffect(() => {
		if (snapshot) handle.update(snapshot);
	}, [snapshot, handle]);

	const quit = (code: number) => {
		onQuit(code);
		exit();
	};
	useKeys((input, key) => {
		if (key.ctrl && input === 'c') quit(130);
		else if (input === '?') setHelp((shown) => !shown);
		else if (key.escape && help) setHelp(false);
		else if (input === 'q' || key.escape) quit(0);
	});

	const shards = (status?.statuses ?? [])
		.filter((entry) => entry.shard !== undefined)
		.sort((a, b) => severity.indexOf(a.liveness) - severity.indexOf(b.liveness));
	const maxShardLines = Math.max(1, Math.floor((size.rows - 4) / 3));
	const shownShards = shards.length > maxShardLines ? shards.slice(0, maxShardLines - 1) : shards;
	const hidden = shards.length - shownShards.length;
	const shardRows = shownShards.length + (hidden > 0 ? 1 : 0) + (status && status.missingShards.length > 0 ? 1 : 0);
	const errorRows = error ? 1 : 0;
	const dashboardRows = Math.max(4, size.rows - 4 - shardRows - errorRows);
	const dashboardContext: AppContextValue = {
		size: {columns: size.columns, rows: dashboardRows + 3},
		screenActive: false,
		captureKeys: () => {},
		showHints: () => {},
	};
	const liveness = status?.liveness;

	return (
		<ThemeContext.Provider value={theme}>
			<Frame
				size={size}
				title={`Watch ${runDir}`}
				status={liveness ? <Text color={livenessColor(theme, liveness)} bold>{` ${liveness} `}</Text> : undefined}
				keys={watchKeys}
			>
				{help ? (
					<HelpOverlay screenTitle="Watch" keys={watchKeys} />
				) : (
					<>
						<Text wrap="truncate" bold color={liveness ? livenessColor(theme, liveness) : undefined}>
							{status?.message ?? (error ? 'waiting for the run to write its status (q stops)' : 'reading the status…')}
						</Text>
						{error ? (
							<Text wrap="truncate" color={theme.error}>
								{error}
							</Text>
						) : null}
						{shownShards.map((entry) => (
							<ShardLine key={entry.shard} entry={entry} width={size.columns} />
						))}
						{hidden > 0 ? <Text dimColor>{`… ${hidden} more shards`}</Text> : null}
						{status && status.missingShards.length > 0 ? (
							<Text dimColor wrap="truncate">{`not started: ${status.missingShards.join(', ')}`}</Text>
						) : null}
						{snapshot ? (
							<Box height={dashboardRows} flexShrink={0} flexDirection="column">
								<AppContext.Provider value={dashboardContext}>
									<Dashboard handle={handle} onBack={() => undefined} readOnly />
								</AppContext.Provider>
							</Box>
						) : null}
					</>
				)}
			</Frame>
		</ThemeContext.Provider>
	);
}
