import {isDeepStrictEqual} from 'node:util';
import {useEffect, useMemo, useState} from 'react';
import {Box, Text} from 'ink';
import {useKeys} from '../hooks/use-keys.js';
import type {LoadedPreset} from '../../config/presets.js';
import type {AreaFeatures, PresetInput} from '../../config/preset-schema.js';
import {readArea} from '../../engine/index.js';
import {messageOf} from '../../errors.js';
import {useAppContext, useKeyCapture} from '../app-context.js';
import {Pane} from '../components/pane.js';
import {Confirm} from '../components/prompt.js';
import {TextInput} from '../components/text-input.js';
import {TileMap} from '../components/tile-map.js';
import {centreFields, cornerFields, cycleChoice, evaluateDraft, FieldError} from '../extent-fields.js';
import {formatBytes, formatMapUnits} from '../../app/format.js';
import {formatNumber} from '../format.js';
import {downloadEstimate} from '../preset-view.js';
import {useTheme} from '../theme.js';
import {wrapText} from '../wrap.js';

type ExtentScreenProps = {
	/** The preset as saved (u undoes back to it). */
	original: LoadedPreset;
	/** Where editing starts: an earlier draft or the original. */
	initial: LoadedPreset;
	/** Leave keeping this version (undefined: no edits left). */
	onBack: (edited: LoadedPreset | undefined) => void;
	onRun: (edited: LoadedPreset) => void;
};

export function ExtentScreen({original, initial, onBack, onRun}: ExtentScreenProps) {
	const {size, screenActive} = useAppContext();
	const theme = useTheme();
	const [raw, setRaw] = useState<PresetInput>(() => structuredClone(initial.raw));
	const [mode, setMode] = useState<'corners' | 'centre'>('corners');
	const [index, setIndex] = useState(0);
	const [editText, setEditText] = useState<string | undefined>();
	const [askLeave, setAskLeave] = useState(false);
	const fields = mode === 'corners' ? cornerFields : centreFields;
	const field = fields[index];
	const editing = editText !== undefined;
	useKeyCapture(editing);

	// What the screen shows: the committed edits, plus the field being typed, validated on every key.
	let parseError: string | undefined;
	let candidate = raw;
	if (editing) {
		try {
			candidate = field.set(raw, editText);
		} catch (error) {
			if (!(error instanceof FieldError)) throw error;
			parseError = error.message;
		}
	}
	// The area's layer is read once its field is applied (not at every key typed), then its tiles are planned.
	const [areaRead, setAreaRead] = useState<{key: string; features?: AreaFeatures; error?: string}>();
	const committedArea = useMemo(() => evaluateDraft(original, raw).area, [original, raw]);
	const areaKey = committedArea && JSON.stringify(committedArea);
	// The preset's own area, read when it was started before, is not read again.
	const originalArea =
		committedArea && original.area && isDeepStrictEqual(committedArea, original.preset.area)
			? original.area
			: undefined;
	useEffect(() => {
		if (!committedArea || !areaKey || originalArea) return;
		let current = true;
		readArea(committedArea).then(
			(features) => current && setAreaRead({key: areaKey, features}),
			(error: unknown) => current && setAreaRead({key: areaKey, error: messageOf(error)}),
		);
		return () => {
			current = false;
		};
		// The key stands for the area: a new object with the same fields is the same layer.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [areaKey, originalArea]);
	const area = originalArea
		? {features: originalArea, error: undefined}
		: areaRead?.key === areaKey
			? areaRead
			: undefined;
	const result = useMemo(
		() => evaluateDraft(original, candidate, area?.features),
		[original, candidate, area?.features],
	);
	/** Enter in the field: the text as submitted (it may be newer than this render's), applied when it parses. */
	const apply = (text: string) => {
		try {
			setRaw(field.set(raw, text));
			setEditText(undefined);
		} catch (error) {
			if (!(error instanceof FieldError)) throw error;
			setEditText(text);
		}
	};
	const error = parseError ?? area?.error ?? result.error;

	const leave = () => {
		const valid = evaluateDraft(original, raw);
		if (!valid.loaded) return setAskLeave(true);
		onBack(isDeepStrictEqual(raw, original.raw) ? undefined : valid.loaded);
	};

	useKeys(
		(input, key) => {
			const down = key.downArrow || input === 'j';
			const up = key.upArrow || input === 'k';
			if (down || up || key.tab)
				setIndex((value) => (value + (up || (key.tab && key.shift) ? -1 : 1) + fields.length) % fields.length);
			else if (field.kind === 'choice' && (key.return || input === ' ' || key.rightArrow || key.leftArrow))
				setRaw(cycleChoice(field, raw, key.leftArrow ? -1 : 1));
			else if (key.return) setEditText(field.get(raw));
			else if (input === 'm') setMode(mode === 'corners' ? 'centre' : 'corners');
			else if (input === 'u') setRaw(structuredClone(original.raw));
			else if (input === 'r' && result.loaded && !editing) onRun(result.loaded);
			else if (key.escape) leave();
		},
		{isActive: screenActive && !editing && !askLeave},
	);

	const labelWidth = 11;
	const leftWidth = Math.min(40, Math.max(30, Math.floor(size.columns * 0.45)));
	const rightInner = size.columns - leftWidth - 4;
	const plan = result.plan;
	const bodyRows = size.rows - 1 - 2;
	const errorLines = error ? wrapText(error.split('\n').slice(0, 3).join(' '), size.columns - 2).slice(0, 3) : [];
	// The preview pane: its border rows, six lines of figures, then the map; error lines and a question take rows below.
	const mapHeight = Math.max(2, bodyRows - 2 - 6 - errorLines.length - (askLeave ? 1 : 0));

	return (
		<Box flexDirection="column" flexGrow={1}>
			<Box flexGrow={1}>
				<Pane
					title={`Extent of ${original.name} (${mode === 'corners' ? 'corners' : 'centre + size'})`}
					focused
					width={leftWidth}
				>
					{fields.map((item, row) => {
						const selected = row === index;
						const value =
							selected && editing ? (
								<TextInput
									initial={editText}
									onChange={setEditText}
									onSubmit={apply}
									onCancel={() => setEditText(undefined)}
									isActive={screenActive}
								/>
							) : (
								<Text>{item.kind === 'choice' ? `‹ ${item.get(raw)} ›` : item.get(raw)}</Text>
							);
						return (
							<Box key={item.id}>
								<Text inverse={selected && !editing} bold={selected}>
									{`${selected ? '›' : ' '}${item.label.padEnd(labelWidth)}`}
								</Text>
								<Text> </Text>
								{value}
							</Box>
						);
					})}
					<Text> </Text>
					<Text dimColor wrap="truncate">
						{editing ? 'Enter apply · Esc cancel' : 'Enter edit · m corners/centre · r run'}
					</Text>
				</Pane>
				<Pane title="Plan preview" flexGrow={1}>
					{plan ? (
						<>
							<Text wrap="truncate">
								adjusted {formatMapUnits(plan.adjusted.xmin)}, {formatMapUnits(plan.adjusted.ymin)}
							</Text>
							<Text wrap="truncate">
								{'      to '}
								{formatMapUnits(plan.adjusted.xmax)}, {formatMapUnits(plan.adjusted.ymax)}
							</Text>
							<Text wrap="truncate">
								padding L {formatNumber(plan.padding.left)} R {formatNumber(plan.padding.right)} T{' '}
								{formatNumber(plan.padding.top)} B {formatNumber(plan.padding.bottom)}
							</Text>
							<Text wrap="truncate">
								grid {plan.rows} × {plan.cols} = <Text bold>{plan.tiles.length} tiles</Text>
								{plan.area ? `, ${plan.area.skipped} skipped` : ''}
							</Text>
							<Text wrap="truncate">
								download ≈ {formatBytes(downloadEstimate(result.loaded!.preset, plan.tiles.length))}
								{plan.area ? `, ${formatBytes(downloadEstimate(result.loaded!.preset, plan.area.skipped))} saved` : ''}
							</Text>
							<Text dimColor wrap="truncate">
								█▓ requested ░▒ padding{plan.area ? ' · skipped' : ''}, shade = tile
							</Text>
							<TileMap plan={plan} width={rightInner} height={mapHeight} />
						</>
					) : (
						<Text dimColor>no plan until the fields are valid</Text>
					)}
				</Pane>
			</Box>
			{errorLines.map((line, row) => (
				<Text key={row} color={theme.error} wrap="truncate">
					{row === 0 ? '✗ ' : '  '}
					{line}
				</Text>
			))}
			{askLeave ? (
				<Confirm
					question="The edits are not valid. Leave and drop them?"
					onYes={() => onBack(undefined)}
					onNo={() => setAskLeave(false)}
					isActive={screenActive}
				/>
			) : null}
		</Box>
	);
}
