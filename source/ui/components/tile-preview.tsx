import type {ReactNode} from 'react';
import {Box, Text} from 'ink';

export type PreviewImage = {rgb: Uint8Array; mask: Uint8Array; width: number; height: number};

/** What the preview shows, named as its pane title says it. */
export type PreviewView = 'image | mask' | 'overlay' | 'image' | 'mask';

export const previewViews: PreviewView[] = ['image | mask', 'overlay', 'image', 'mask'];

/** How many images the view puts side by side. */
export function imagesAcross(view: PreviewView): number {
	return view === 'image | mask' ? 2 : 1;
}

/** Darkest to brightest, for images drawn without colour. */
const ramp = ' .:-=+*#%@';
/** Under a mask drawn without colour the image stops below the mask's '#', so the mask stands out. */
const overlayBrightest = ramp.indexOf('#') - 1;

type Rgb = [number, number, number];

function rgbOf(rgb: Uint8Array, pixel: number): Rgb {
	return [rgb[pixel * 3], rgb[pixel * 3 + 1], rgb[pixel * 3 + 2]];
}

function hex(colour: Rgb): string {
	return `#${colour.map((band) => band.toString(16).padStart(2, '0')).join('')}`;
}

function luminance([r, g, b]: Rgb): number {
	return (0.299 * r + 0.587 * g + 0.114 * b) / 255;
}

function shade(brightness: number, brightest = ramp.length - 1): string {
	return ramp[Math.min(brightest, Math.floor(brightness * ramp.length))];
}

const maskColour = {on: [0xff, 0xd7, 0x00] as Rgb, off: [0x20, 0x20, 0x20] as Rgb};

/** The image with the mask's colour laid half over it. */
function overlaid(colour: Rgb, masked: boolean): Rgb {
	return masked ? (colour.map((band, index) => Math.round((band + maskColour.on[index]) / 2)) as Rgb) : colour;
}

type Layer = 'image' | 'mask' | 'overlay';

function pixelColour(image: PreviewImage, layer: Layer, pixel: number): Rgb {
	if (layer === 'mask') return image.mask[pixel] ? maskColour.on : maskColour.off;
	const colour = rgbOf(image.rgb, pixel);
	return layer === 'overlay' ? overlaid(colour, image.mask[pixel] !== 0) : colour;
}

function pixelGlyph(image: PreviewImage, layer: Layer, pixel: number): string {
	if (layer === 'mask') return image.mask[pixel] ? '#' : '.';
	const brightness = luminance(rgbOf(image.rgb, pixel));
	if (layer === 'image') return shade(brightness);
	return image.mask[pixel] ? '#' : shade(brightness, overlayBrightest);
}

/**
 * One layer's rows. In colour each character is two pixels, one above the other (▀ in the top
 * pixel's colour on the bottom pixel's); without colour each character is one pixel: a brightness
 * ramp for the image, '#' and '.' for the mask, '#' over a dimmer ramp for the overlay.
 */
function layerRows(image: PreviewImage, layer: Layer, color: boolean): ReactNode[] {
	const {width, height} = image;
	const rows: ReactNode[] = [];
	for (let y = 0; y < height; y += color ? 2 : 1) {
		if (!color) {
			let line = '';
			for (let x = 0; x < width; x++) line += pixelGlyph(image, layer, y * width + x);
			rows.push(line);
			continue;
		}
		const cells: ReactNode[] = [];
		for (let x = 0; x < width; x++) {
			const top = y * width + x;
			const bottom = y + 1 < height ? top + width : top;
			cells.push(
				<Text
					key={x}
					color={hex(pixelColour(image, layer, top))}
					backgroundColor={hex(pixelColour(image, layer, bottom))}
				>
					▀
				</Text>,
			);
		}
		rows.push(cells);
	}
	return rows;
}

const layersOf: Record<PreviewView, Layer[]> = {
	'image | mask': ['image', 'mask'],
	overlay: ['overlay'],
	image: ['image'],
	mask: ['mask'],
};

/** The tile's image and mask as the view asks: side by side, overlaid, or one of them alone. */
export function TilePreview({image, view, color}: {image: PreviewImage; view: PreviewView; color: boolean}) {
	const layers = layersOf[view].map((layer) => layerRows(image, layer, color));
	return (
		<Box flexDirection="column">
			{layers[0].map((_, index) => (
				<Text key={index}>
					{layers.map((rows, layer) => (
						<Text key={layer}>
							{layer > 0 ? ' ' : ''}
							{rows[index]}
						</Text>
					))}
				</Text>
			))}
		</Box>
	);
}
