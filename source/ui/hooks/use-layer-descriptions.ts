import {useEffect, useState} from 'react';
import type {Preset} from '../../config/preset-schema.js';
import {layerSummary, type LayerDescription} from '../../engine/index.js';

/** The layers' answers by role: a summary line, or the reason the source cannot be opened. */
export type LayerReadout = Partial<Record<'rgb' | 'dsm', {text: string; error?: boolean}>>;

/** Asked once the selection rests this long: scrolling through presets opens no connections. */
const settleMs = 400;

/**
 * What each layer of the preset will read (kind, CRS, resolution, level or overview), asked of its sources;
 * undefined while asking. Asked again when a field that changes the answer changes.
 */
export function useLayerDescriptions(
	preset: Preset | undefined,
	describe: (preset: Preset) => Promise<LayerDescription[]>,
): LayerReadout | undefined {
	const key = preset
		? JSON.stringify([preset.layers, preset.crs, preset.cellSize, preset.extent, preset.embeddedDemo])
		: '';
	const [answer, setAnswer] = useState<{key: string; readout: LayerReadout}>();
	useEffect(() => {
		if (!preset) return;
		const controller = new AbortController();
		const timer = setTimeout(() => {
			describe(preset).then(
				(layers) => !controller.signal.aborted && setAnswer({key, readout: readoutOf(layers)}),
				(error: Error) =>
					!controller.signal.aborted && setAnswer({key, readout: {rgb: {text: error.message, error: true}}}),
			);
		}, settleMs);
		return () => {
			clearTimeout(timer);
			controller.abort();
		};
		// The key stands for the preset's fields that matter.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [key, describe]);
	return answer?.key === key ? answer.readout : undefined;
}

function readoutOf(layers: LayerDescription[]): LayerReadout {
	return Object.fromEntries(
		layers.map((layer) => [
			layer.role,
			layer.description
				? {text: [layerSummary(layer.description), ...layer.warnings].join('; ')}
				: {text: layer.error ?? 'cannot be opened', error: true},
		]),
	);
}
