import type {ReactNode} from 'react';
import {Box, Text} from 'ink';

export type PreviewImage = {rgb: Uint8Array; mask: Uint8Array; width: number; height: number};

/** Darkest to brightest, for images drawn without colour. */
const ramp = ' .:-=+*#%@';

function hex(rgb: Uint8Array, pixel: number): string {
	return `#${[0, 1, 2].map((band) => rgb[pixel * 3 + band].toString(16).padStart(2, '0')).join('')}`;
}

function luminance(rgb: Uint8Array, pixel: number): number {
	return (0.299 * rgb[pixel * 3] + 0.587 * rgb[pixel * 3 + 1] + 0.114 * rgb[pixel * 3 + 2]) / 255;
}

const maskColour = {on: '#ffd700', off: '#202020'};

/**
 * The tile's image and its mask side by side. In colour each character is two pixels, one
 * above the other (▀ in the top pixel's colour on the bottom pixel's); without colour each
 * character is one pixel: a brightness ramp for the image, '#' and '.' for the mask.
 */
export function TilePreview({image, color}: {image: PreviewImage; color: boolean}) {
	const {rgb, mask, width, height} = image;
	const rows: Array<{image: ReactNode[]; mask: ReactNode[]}> = [];
	const step = color ? 2 : 1;
	for (let y = 0; y < height; y += step) {
		const row = {image: [] as ReactNode[], mask: [] as ReactNode[]};
		for (let x = 0; x < width; x++) {
			const top = y * width + x;
			if (color) {
				const bottom = y + 1 < height ? top + width : top;
				row.image.push(
					<Text key={x} color={hex(rgb, top)} backgroundColor={hex(rgb, bottom)}>
						▀
					</Text>,
				);
				row.mask.push(
					<Text
						key={x}
						color={mask[top] ? maskColour.on : maskColour.off}
						backgroundColor={mask[bottom] ? maskColour.on : maskColour.off}
					>
						▀
					</Text>,
				);
			} else {
				row.image.push(ramp[Math.min(ramp.length - 1, Math.floor(luminance(rgb, top) * ramp.length))]);
				row.mask.push(mask[top] ? '#' : '.');
			}
		}
		rows.push(row);
	}
	return (
		<Box flexDirection="column">
			{rows.map((row, index) => (
				<Text key={index}>
					{color ? row.image : row.image.join('')} {color ? row.mask : row.mask.join('')}
				</Text>
			))}
		</Box>
	);
}
