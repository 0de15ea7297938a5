import path from 'node:path';
import {useEffect, useMemo, useState} from 'react';
import {Box, Text} from 'ink';
import {useKeyState} from '../hooks/use-key-state.js';
import {useKeys} from '../hooks/use-keys.js';
import {listMove, listWindow, position} from '../list-keys.js';
import type {PresetEntry} from '../../app/preset-catalog.js';
import type {Preset} from '../../config/preset-schema.js';
import type {LoadedPreset} from '../../config/presets.js';
import {resolveModelPaths, type LayerDescription} from '../../engine/index.js';
import {useLayerDescriptions, type LayerReadout} from '../hooks/use-layer-descriptions.js';
import {useAppContext} from '../app-context.js';
import {Pane} from '../components/pane.js';
import {Confirm, TextPrompt} from '../components/prompt.js';
import {formatBytes} from '../../app/format.js';
import {formatNumber} from '../format.js';
import {downloadEstimate, extentSize, knownUnit, layerLocation, tryPlan} from '../preset-view.js';
import {useTheme} from '../theme.js';
import {wrapText} from '../wrap.js';

type PresetsScreenProps = {
	entries: PresetEntry[];
	/** Edited, unsaved versions by preset name. */
	drafts: Record<string, LoadedPreset>;
	selected: string;
	notice?: string;
	/** Moves the selection; `pick` gets the newest selection (keys come faster than renders). */
	onSelect: (pick: (current: string) => string) => void;
	onRun: (preset: LoadedPreset) => void;
	describeLayers: (preset: Preset) => Promise<LayerDescription[]>;
	onEdit: (name: string) => void;
	onDuplicate: (name: string) => void;
	onSave: (name: string, as: string) => void;
	onDelete: (name: string) => void;
};

type Ask = {kind: 'save'} | {kind: 'delete'} | undefined;

function useModelNames(preset: LoadedPreset | undefined): string {
	const key = preset?.preset.models.join('\n') ?? '';
	const [names, setNames] = useState<{key: string; text: string}>({key: '', text: ''});
	useEffect(() => {
		if (!key) return;
		let live = true;
		resolveModelPaths(key.split('\n')).then(
			(files) =>
				live &&
				setNames({key, text: `${files.length}: ${files.map((file) => path.basename(file, '.onnx')).join(', ')}`}),
			(error: Error) => live && setNames({key, text: error.message}),
		);
		return () => {
			live = false;
		};
	}, [key]);
	return names.key === key ? names.text : '…';
}

/** A line of the details pane; `label` lines (and their continuations) get a label column. */
type DetailLine = {label?: string; value: string; error?: boolean};

function detailLines(
	entry: PresetEntry,
	preset: LoadedPreset | undefined,
	models: string,
	layers: LayerReadout | undefined,
	width: number,
): DetailLine[] {
	const lines: DetailLine[] = [];
	const wrapped = (label: string, text: string, error?: boolean) =>
		wrapText(text, Math.max(10, width - 10)).forEach((value, index) =>
			lines.push({label: index === 0 ? label : '', value, error}),
		);
	if (!preset) {
		wrapped('error', entry.error ?? 'cannot be loaded', true);
		return lines;
	}
	const settings = preset.preset;
	wrapText(settings.description || '(no description)', width).forEach((value) => lines.push({value}));
	wrapped('models', models);
	for (const [layer, config] of Object.entries(settings.layers)) {
		if (!config) continue;
		wrapped(layer, layerLocation(config));
		const readout = layers?.[layer as 'rgb' | 'dsm'];
		wrapped('', readout ? readout.text : `${config.kind} · asking the source…`, readout?.error);
	}
	const {plan, error} = tryPlan(settings);
	if (settings.area) wrapped('area', settings.area.source);
	if (settings.extent)
		lines.push({
			label: 'extent',
			value: `${extentSize(settings.extent, settings.extent.crs)}  in ${settings.extent.crs}`,
		});
	if (plan) {
		lines.push({
			label: 'grid',
			value: `${plan.rows} × ${plan.cols} = ${plan.tiles.length} tiles of ${settings.tileSize} px`,
		});
		lines.push({
			label: 'cell',
			value: `${formatNumber(settings.cellSize, 4)} ${knownUnit(settings.crs)} per px, plan in ${settings.crs}`,
		});
		lines.push({label: 'download', value: `≈ ${formatBytes(downloadEstimate(settings, plan.tiles.length))}`});
	} else if (error) wrapped('plan', error, true);
	wrapped('output', settings.output.dir);
	return lines;
}

export function PresetsScreen(props: PresetsScreenProps) {
	const {entries, drafts, selected, notice} = props;
	const {size, screenActive} = useAppContext();
	const theme = useTheme();
	const [focus, latestFocus, setFocus] = useKeyState<'list' | 'details'>('list');
	const [scroll, latestScroll, setScroll] = useKeyState(0);
	const [ask, setAsk] = useState<Ask>();
	/** Why the last key did nothing, until the next key. */
	const [whyNot, setWhyNot] = useState<string>();
	const index = Math.max(
		0,
		entries.findIndex((entry) => entry.name === selected),
	);
	const entry = entries[index];
	const preset = entry ? (drafts[entry.name] ?? entry.loaded) : undefined;
	const models = useModelNames(preset);
	const layers = useLayerDescriptions(preset?.preset, props.describeLayers);
	const listWidth = Math.min(30, Math.max(18, Math.floor(size.columns * 0.32)));
	const detailsWidth = size.columns - listWidth - 4;
	// A notice (a bad name, what was written) may take three lines; the panes give up the rows.
	const message = whyNot ?? notice;
	const noticeLines = message ? wrapText(message, size.columns - 1).slice(0, 3) : [];
	const bodyRows = Math.max(3, size.rows - 1 - 2 - 1 - 3 - Math.max(0, noticeLines.length - 1));
	const lines = useMemo(
		() => (entry ? detailLines(entry, preset, models, layers, detailsWidth) : []),
		[entry, preset, models, layers, detailsWidth],
	);

	const indexOf = (name: string) =>
		Math.max(
			0,
			entries.findIndex((item) => item.name === name),
		);
	const scrollEnd = Math.max(1, lines.length - bodyRows + 1);

	useKeys(
		(input, key) => {
			if (!entry) return;
			setWhyNot(undefined);
			if (key.tab) return setFocus(latestFocus() === 'list' ? 'details' : 'list');
			if (latestFocus() === 'list' && listMove(input, key, 0, entries.length, bodyRows) !== undefined) {
				props.onSelect((current) => entries[listMove(input, key, indexOf(current), entries.length, bodyRows)!].name);
				setScroll(0);
				return;
			}
			const scrollTo = listMove(input, key, latestScroll(), scrollEnd, bodyRows);
			if (latestFocus() === 'details' && scrollTo !== undefined) setScroll(scrollTo);
			else if ((key.return || input === 'r') && preset) props.onRun(preset);
			else if (input === 'e' && preset) props.onEdit(entry.name);
			else if (input === 'd' && preset) props.onDuplicate(entry.name);
			else if (input === 's' && preset) setAsk({kind: 'save'});
			else if (input === 'x' && entry.source === 'user') setAsk({kind: 'delete'});
			else if (input === 'x')
				setWhyNot(`x deletes user presets only; "${entry.name}" is shipped (d makes an editable copy)`);
		},
		{isActive: screenActive && !ask},
	);

	let footer = message ? (
		<Box flexDirection="column">
			{noticeLines.map((line, row) => (
				<Text key={row} dimColor>
					{line}
				</Text>
			))}
		</Box>
	) : (
		<Text dimColor>{entry?.source === 'user' ? 'user preset' : 'shipped preset: s saves an editable copy'}</Text>
	);
	if (ask?.kind === 'save' && entry) {
		footer = (
			<TextPrompt
				label="Save as user preset named:"
				initial={entry.source === 'user' ? entry.name : `${entry.name}-mine`}
				onCancel={() => setAsk(undefined)}
				onSubmit={(name) => {
					setAsk(undefined);
					props.onSave(entry.name, name.trim());
				}}
			/>
		);
	} else if (ask?.kind === 'delete' && entry) {
		footer = (
			<Confirm
				question={`Delete user preset "${entry.name}"?`}
				isActive={screenActive}
				onNo={() => setAsk(undefined)}
				onYes={() => {
					setAsk(undefined);
					props.onDelete(entry.name);
				}}
			/>
		);
	}

	const shown = listWindow(index, entries.length, bodyRows);
	const detailRows = lines.length > bodyRows ? bodyRows - 1 : bodyRows;
	const detailsHidden = lines.length - Math.min(lines.length, scroll + detailRows);
	return (
		<Box flexDirection="column" flexGrow={1}>
			<Box flexGrow={1}>
				<Pane title={`Presets (${position(index, entries.length)})`} focused={focus === 'list'} width={listWidth}>
					{entries.slice(shown.first, shown.end).map((item) => {
						const isSelected = item.name === entry?.name;
						const mark = drafts[item.name] ? '*' : ' ';
						const tag = item.error && !item.loaded ? '!' : item.source === 'user' ? 'u' : ' ';
						return (
							<Text key={item.name} inverse={isSelected} color={item.error ? theme.error : undefined} wrap="truncate">
								{`${isSelected ? '›' : ' '}${tag}${mark}${item.name}`}
							</Text>
						);
					})}
					{shown.more ? <Text dimColor>{`+${shown.more} more`}</Text> : null}
				</Pane>
				<Pane
					title={entry ? `${entry.name}  (${entry.source}${drafts[entry.name] ? ', edited' : ''})` : 'no presets'}
					focused={focus === 'details'}
					flexGrow={1}
				>
					{lines.slice(scroll, scroll + detailRows).map((line, row) => (
						<Text key={row} wrap="truncate" color={line.error ? theme.error : undefined}>
							{line.label === undefined ? null : <Text bold>{line.label.padEnd(9)}</Text>}
							{line.value}
						</Text>
					))}
					{lines.length > bodyRows ? (
						<Text dimColor wrap="truncate">
							{detailsHidden > 0 ? `+${detailsHidden} more (Tab, then j)` : `${scroll} above (k)`}
						</Text>
					) : null}
				</Pane>
			</Box>
			<Box height={ask ? 1 : Math.max(1, noticeLines.length)} flexShrink={0}>
				{footer}
			</Box>
		</Box>
	);
}
