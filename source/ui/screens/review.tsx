import {useEffect, useMemo, useRef, useState} from 'react';
import {Box, Text} from 'ink';
import {useKeyState} from '../hooks/use-key-state.js';
import {useKeys} from '../hooks/use-keys.js';
import {listMove, listWindow, position} from '../list-keys.js';
import {sameThreshold, type StatsDocument, type Threshold} from '../../engine/index.js';
import {useAppContext, useHints, useKeyCapture} from '../app-context.js';
import {Histogram} from '../components/histogram.js';
import {Pane} from '../components/pane.js';
import {ProgressBar} from '../components/progress-bar.js';
import {Confirm} from '../components/prompt.js';
import {
	imagesAcross,
	previewViews,
	TilePreview,
	type PreviewImage,
	type PreviewView,
} from '../components/tile-preview.js';
import {minimapMeasures, TileMinimap, type MinimapMeasure} from '../components/tile-minimap.js';
import type {ReviewSession, RunHandle} from '../engine-api.js';
import {fit, formatArea, formatPercent} from '../format.js';
import {useRunSnapshot} from '../hooks/use-run-snapshot.js';
import {
	mostConfused,
	nextShownClass,
	pairIou,
	sortTiles,
	tileDisagreement,
	tileFraction,
	tileSorts,
	type TileSort,
} from '../review-stats.js';
import type {WriteResult} from '../summary.js';
import {useTheme} from '../theme.js';
import {screenKeys, type KeyHelp} from '../keys.js';
import {shownThreshold, stepThreshold, thresholdRange, toggleThreshold} from '../threshold-control.js';

type ReviewScreenProps = {
	handle: RunHandle;
	session: ReviewSession;
	onWritten: (result: WriteResult) => void;
	onDiscarded: () => void;
};

const THRESHOLD_STEP = 0.05;
/** The tile list's columns: marker, id, three percentages. */
const LIST_WIDTH = 30;

function iouText(iou: number | null): string {
	return iou === null ? '  –  ' : iou.toFixed(2).padStart(5);
}

/**
 * The inference mode beside how much the tiles' masks disagree across their seams (resize mode infers each tile
 * alone, so its masks step at tile borders), shortened to fit `width`.
 */
export function seamLine(mode: string, disagreement: number | null, width: number): string {
	const seams = disagreement === null ? '–' : formatPercent(disagreement);
	const long = `${mode} · ${seams} of seam pixels disagree`;
	return long.length <= width ? long : `${mode} · seams ${seams} disagree`;
}

type OverallProps = {
	stats: StatsDocument;
	target: Threshold;
	areaUnit: string;
	mode: string;
	width: number;
	classId?: number;
};

function OverallPane({stats, target, areaUnit, mode, width, classId}: OverallProps) {
	const overall = stats.overall;
	const shown = classId === undefined ? undefined : overall.classes?.[classId];
	const shownValue = shownThreshold(target, shown?.name);
	const perClass = typeof target !== 'number';
	return (
		<Pane title="Overall" flexGrow={0}>
			<Text wrap="truncate">
				{perClass && shownValue !== undefined ? `${shown!.name} threshold` : 'threshold'}{' '}
				<Text bold inverse>{` ${shownValue?.toFixed(2) ?? thresholdRange(target)} `}</Text>
				{sameThreshold(target, overall.threshold) ? '' : ' …'}
				{/* The shown class's threshold names its class; the others say whose they are. */}
				{!overall.classes || (perClass && shownValue !== undefined) ? '' : perClass ? ' (per class)' : ' (all classes)'}
			</Text>
			{shown ? (
				<>
					<Text wrap="truncate">
						{shown.name} <Text bold>{formatPercent(shown.fraction)}</Text> · {formatArea(shown.area, areaUnit)}
					</Text>
					<Text wrap="truncate">
						{shown.name} objects {shown.components}
					</Text>
				</>
			) : (
				<>
					<Text wrap="truncate">
						foreground <Text bold>{formatPercent(overall.foregroundFraction)}</Text> ·{' '}
						{formatArea(overall.foregroundArea, areaUnit)}
					</Text>
					<Text wrap="truncate">
						objects {overall.components.count} · mean {formatArea(overall.components.meanArea, areaUnit)}
					</Text>
				</>
			)}
			<Text wrap="truncate">
				uncertain {formatPercent(overall.uncertainFraction)} · nodata {formatPercent(overall.nodataFraction)}
			</Text>
			<Text wrap="truncate">{seamLine(mode, overall.seams.disagreement, width)}</Text>
		</Pane>
	);
}

/**
 * IoU of every pair of members and of each member with the ensemble, on class `classId` alone when given;
 * columns are numbered as the rows.
 */
function AgreementPane({stats, width, classId}: {stats: StatsDocument; width: number; classId?: number}) {
	const {models} = stats.overall;
	const shown = classId === undefined ? undefined : stats.overall.classes?.[classId];
	const {pairs, members} = shown ?? stats.overall;
	// Row labels get what the columns (6 each, the ensemble's too) leave.
	const nameWidth = Math.max(6, width - 2 - (models.length + 1) * 6);
	const confused = classId === undefined ? undefined : mostConfused(stats.overall, classId);
	return (
		<Pane title={shown ? `Agreement (IoU, ${shown.name})` : 'Agreement (IoU)'} flexGrow={0}>
			<Text wrap="truncate" bold>
				{' '.repeat(nameWidth + 2)}
				{models.map((_, index) => String(index + 1).padStart(6)).join('')}
				{'ens'.padStart(6)}
			</Text>
			{models.map((a, index) => (
				<Text key={a} wrap="truncate">
					<Text bold>{`${index + 1} ${fit(a, nameWidth)}`}</Text>
					{models.map((b) => ` ${iouText(pairIou(pairs, a, b))}`).join('')}{' '}
					{iouText(members.find((member) => member.model === a)?.vsEnsemble.iou ?? null)}
				</Text>
			))}
			{confused ? (
				<Text wrap="truncate">
					{confused.fraction > 0
						? `mixed up most with ${confused.name} (${formatPercent(confused.fraction)})`
						: 'never mixed up between members'}
				</Text>
			) : null}
		</Pane>
	);
}

/** The review's hints with the threshold key saying whether it moves one threshold for all classes or per class. */
function reviewHints(perClass: boolean): KeyHelp[] {
	return screenKeys.review.map((key) =>
		key.hint === 'threshold' ? {...key, hint: perClass ? 'per class' : 'all classes'} : key,
	);
}

/** The histogram's mark: the threshold, the shown class's, or the lowest of the classes'. */
function histogramMark(threshold: Threshold, shown?: string): number {
	return shownThreshold(threshold, shown) ?? Math.min(...Object.values(threshold));
}

/** The footer while the masks are written: the one part of the review that follows the run's progress. */
function WritingProgress({handle, note}: {handle: RunHandle; note?: string}) {
	const theme = useTheme();
	const {snapshot} = useRunSnapshot(handle);
	return (
		<Text>
			writing <ProgressBar fraction={snapshot.tiles ? snapshot.written / snapshot.tiles : 0} width={20} />{' '}
			{snapshot.written}/{snapshot.tiles}
			{note ? <Text color={theme.warn}>{` ${note}`}</Text> : null}
		</Text>
	);
}

/** A preview with what it shows: the tile, its size and the threshold of its mask. */
type ShownPreview = PreviewImage & {tileId: string; threshold: Threshold};

function sameKey(
	preview: ShownPreview,
	key: {tileId?: string; width: number; height: number},
	threshold: Threshold,
): boolean {
	return (
		preview.tileId === key.tileId &&
		preview.width === key.width &&
		preview.height === key.height &&
		sameThreshold(preview.threshold, threshold)
	);
}

export function ReviewScreen({handle, session, onWritten, onDiscarded}: ReviewScreenProps) {
	const {size, screenActive} = useAppContext();
	const theme = useTheme();
	const [stats, setStats] = useState<StatsDocument>(() => session.stats());
	const [sort, latestSort, setSort] = useKeyState<TileSort>('foreground');
	const [measure, latestMeasure, setMeasure] = useKeyState<MinimapMeasure>('foreground');
	const [index, latestIndex, setIndex] = useKeyState(0);
	const [preview, setPreview] = useState<ShownPreview>();
	const [view, latestView, setView] = useKeyState<PreviewView>('image | mask');
	const [enlarged, latestEnlarged, setEnlarged] = useKeyState(false);
	const [phase, setPhase] = useState<'review' | 'ask-discard' | 'writing' | 'discarding'>('review');
	const [error, setError] = useState<string>();
	const [target, setTarget] = useState<Threshold>(() => stats.overall.threshold);
	// A multi-class run's figures are of every class together or of one class, as is its threshold when per class.
	const [classId, latestClassId, setClassId] = useKeyState<number | undefined>(undefined);
	const shownClass = classId === undefined ? undefined : stats.overall.classes?.[classId];
	const multiclass = stats.overall.classes !== undefined;
	useHints(multiclass ? reviewHints(typeof target !== 'number') : undefined);
	const busy = useRef(false);

	const tiles = useMemo(() => sortTiles(stats.tiles, sort, classId), [stats, sort, classId]);
	const tile = tiles[Math.min(index, tiles.length - 1)];

	const leftWidth = Math.min(44, Math.max(36, Math.floor(size.columns / 2)));
	// Rows below the title line and above the hint line and this screen's footer.
	const bodyRows = size.rows - 1 - 2 - 1;
	// The right column: the tile list as long as its tiles (up to half), the preview the rest, about
	// square (a character is one pixel wide and two tall in colour, and twice as tall as wide).
	const previewWidthMax = Math.max(4, Math.floor((size.columns - leftWidth - 4 - 1) / 2));
	const listPane = Math.max(5, Math.min(tiles.length + 1 + 2, Math.floor(bodyRows / 2)));
	const paneRows = Math.max(3, Math.min(bodyRows - listPane - 2, Math.ceil(previewWidthMax / 2)));
	// Enlarged, the preview's pane fills the main area.
	const previewRows = enlarged ? bodyRows - 2 : paneRows;
	const previewInnerWidth = enlarged ? size.columns - 4 : size.columns - leftWidth - 4;
	const across = imagesAcross(view);
	const previewWidth = Math.max(4, Math.min(Math.floor((previewInnerWidth - (across - 1)) / across), previewRows * 2));
	const previewHeight = theme.color ? previewRows * 2 : previewRows;
	// The left column: the overall pane (5 lines), the agreement matrix (a header and a row per model), and the histogram below.
	// A shown class adds a row to the matrix: what the members mix it up with.
	const confusionRow = classId !== undefined && (stats.overall.pairConfusion?.length ?? 0) > 0 ? 1 : 0;
	const histogramRows = Math.max(1, bodyRows - 7 - (stats.overall.models.length + 3 + confusionRow) - 2 - 1);
	const listRows = Math.max(1, bodyRows - (paneRows + 2) - 2 - 1);
	// The minimap sits right of the tile list's columns, in what the list pane leaves.
	const minimapWidth = size.columns - leftWidth - 4 - LIST_WIDTH - 1;

	const tileId = tile?.id;
	const threshold = stats.overall.threshold;
	const previewKey = useRef({tileId, width: previewWidth, height: previewHeight});
	useEffect(() => {
		previewKey.current = {tileId, width: previewWidth, height: previewHeight};
		if (!tileId || (preview && sameKey(preview, previewKey.current, threshold))) return;
		let live = true;
		session.preview(tileId, previewWidth, previewHeight).then(
			(image) => live && setPreview({...image, width: previewWidth, height: previewHeight, tileId, threshold}),
			(failure: Error) => live && setError(`preview: ${failure.message}`),
		);
		return () => {
			live = false;
		};
	}, [session, tileId, previewWidth, previewHeight, threshold, preview]);

	// Keys move the target at once; the session recomputes one threshold at a time (its statistics are
	// rebuilt tile by tile), and catches up with the latest target when it is done.
	const shownName = () => {
		const id = latestClassId();
		return id === undefined ? undefined : stats.overall.classes?.[id]?.name;
	};
	const changeThreshold = (step: number) => setTarget((value) => stepThreshold(value, step, shownName()));
	useEffect(() => {
		if (busy.current || sameThreshold(target, threshold)) return;
		busy.current = true;
		session.setThreshold(target).then(
			async (updated) => {
				// The new figures and the preview under the new threshold in one frame, not one after the other:
				// every frame is the whole screen for Ink.
				const key = previewKey.current;
				const image = key.tileId
					? await session.preview(key.tileId, key.width, key.height).catch(() => undefined)
					: undefined;
				busy.current = false;
				setStats(updated);
				if (image && key.tileId)
					setPreview({...image, ...key, tileId: key.tileId, threshold: updated.overall.threshold});
			},
			(failure: Error) => {
				busy.current = false;
				setError(`threshold: ${failure.message}`);
				setTarget(threshold);
			},
		);
	}, [session, target, threshold]);

	useKeys(
		(input, key) => {
			const moved = listMove(input, key, latestIndex(), tiles.length, listRows);
			if (moved !== undefined) setIndex(moved);
			else if (input === '+' || input === '=' || key.rightArrow) changeThreshold(THRESHOLD_STEP);
			else if (input === '-' || input === '_' || key.leftArrow) changeThreshold(-THRESHOLD_STEP);
			else if (input === 's') setSort(tileSorts[(tileSorts.indexOf(latestSort()) + 1) % tileSorts.length]);
			else if (input === 'c') setClassId(nextShownClass(stats.overall.classes, latestClassId()));
			else if (input === 't' && multiclass)
				setTarget((value) => toggleThreshold(value, session.thresholdClasses, shownName()));
			else if (key.return) setEnlarged(!latestEnlarged());
			else if (key.escape && latestEnlarged()) setEnlarged(false);
			else if (input === 'v') setView(previewViews[(previewViews.indexOf(latestView()) + 1) % previewViews.length]);
			else if (input === 'm')
				setMeasure(minimapMeasures[(minimapMeasures.indexOf(latestMeasure()) + 1) % minimapMeasures.length]);
			else if (input === 'w') {
				setPhase('writing');
				session.write().then(onWritten, (failure: Error) => {
					setError(`write failed: ${failure.message}`);
					setPhase('review');
				});
			} else if (input === 'd') setPhase('ask-discard');
		},
		{isActive: screenActive && phase === 'review'},
	);

	// While writing, q and the other keys are the screen's: leaving now would drop a half-written run.
	const [writingNote, setWritingNote] = useState<string>();
	useKeyCapture(phase === 'writing');
	useKeys(
		(input, key) => {
			if (input === 'q' || key.escape || input === 'd' || input === 'w')
				setWritingNote('writing the masks: wait until they are written (Ctrl-C stops at once)');
		},
		{isActive: phase === 'writing'},
	);

	const shown = listWindow(index, tiles.length, listRows);
	let footer = error ? (
		<Text color={theme.error}>{error}</Text>
	) : (
		<Text dimColor wrap="truncate">
			{tile
				? `${tile.id}: ${shownClass?.name ?? 'foreground'} ${formatPercent(tileFraction(tile, classId), 1)} · uncertain ${formatPercent(tile.uncertainFraction, 1)} · models disagree on ${formatPercent(tileDisagreement(tile, classId), 1)}`
				: 'no tiles'}
		</Text>
	);
	if (phase === 'writing') {
		footer = <WritingProgress handle={handle} note={writingNote} />;
	} else if (phase === 'discarding') footer = <Text>discarding…</Text>;
	else if (phase === 'ask-discard') {
		footer = (
			<Confirm
				question="Discard the results without writing?"
				isActive={screenActive}
				onNo={() => setPhase('review')}
				onYes={() => {
					setPhase('discarding');
					session.discard().then(onDiscarded, (failure: Error) => {
						setError(`discard failed: ${failure.message}`);
						setPhase('review');
					});
				}}
			/>
		);
	}

	const previewPane = (
		<Pane
			title={tile ? `${tile.id}: ${view}${enlarged ? ' · v view · Enter or Esc back' : ''}` : 'preview'}
			height={previewRows + 2}
		>
			{preview && preview.width === previewWidth && preview.height === previewHeight ? (
				<TilePreview image={preview} view={view} color={theme.color} />
			) : (
				<Text dimColor>…</Text>
			)}
		</Pane>
	);

	return (
		<Box flexDirection="column" flexGrow={1}>
			<Box flexGrow={1}>
				{enlarged ? (
					<Box flexDirection="column" flexGrow={1}>
						{previewPane}
					</Box>
				) : (
					<>
						<Box flexDirection="column" width={leftWidth} flexShrink={0}>
							<OverallPane
								stats={stats}
								target={target}
								areaUnit={session.areaUnit}
								mode={session.mode}
								width={leftWidth - 4}
								classId={classId}
							/>
							<AgreementPane stats={stats} width={leftWidth - 4} classId={classId} />
							<Pane title="Probability histogram" flexGrow={1}>
								<Histogram
									counts={stats.overall.histogram.counts}
									threshold={histogramMark(threshold, shownClass?.name)}
									rows={histogramRows}
								/>
							</Pane>
						</Box>
						<Box flexDirection="column" flexGrow={1}>
							<Pane
								title={`Tiles by ${shownClass && sort !== 'uncertainty' ? `${shownClass.name} ${sort}` : sort} (${tiles.length}) · ${position(index, tiles.length)}`}
								focused
								flexGrow={1}
							>
								<Box>
									<Box flexDirection="column" width={LIST_WIDTH} flexShrink={0}>
										<Text bold wrap="truncate">
											{shownClass
												? ` tile       ${shownClass.name.slice(0, 4).padStart(4)}%  unc%  dis%`
												: ' tile        fg%   unc%  dis%'}
										</Text>
										{tiles.slice(shown.first, shown.end).map((item) => (
											<Text key={item.id} inverse={item.id === tile?.id} wrap="truncate">
												{`${item.id === tile?.id ? '›' : ' '}${item.id}  ${formatPercent(tileFraction(item, classId), 1).padStart(5)} ${formatPercent(item.uncertainFraction, 1).padStart(5)} ${formatPercent(tileDisagreement(item, classId), 1).padStart(5)}`}
											</Text>
										))}
										{shown.more ? <Text dimColor>{`+${shown.more} more`}</Text> : null}
									</Box>
									{minimapWidth > 0 ? (
										<Box marginLeft={1}>
											<TileMinimap
												tiles={stats.tiles}
												measure={measure}
												selectedId={tile?.id}
												width={minimapWidth}
												height={listRows + 1}
												color={theme.color}
												classId={classId}
											/>
										</Box>
									) : null}
								</Box>
							</Pane>
							{previewPane}
						</Box>
					</>
				)}
			</Box>
			<Box height={1} flexShrink={0}>
				{footer}
			</Box>
		</Box>
	);
}
