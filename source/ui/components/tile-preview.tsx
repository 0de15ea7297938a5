import {memo} from 'react';
import chalk from 'chalk';
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

/** ▀ in the top pixel's colour on the bottom pixel's, at the colour level chalk (as Ink) detected. */
function halfBlocks([r, g, b]: Rgb, [br, bg, bb]: Rgb, count = 1): string {
	return chalk.rgb(r, g, b).bgRgb(br, bg, bb)('▀'.repeat(count));
}

/**
 * How many cells go into one Ink text. Ink splits every text into graphemes on every frame, and that
 * grows faster than the text: a preview row as one text (thousands of characters, escapes included)
 * cost tens of milliseconds a frame, in pieces a fraction of it.
 */
const CELLS_PER_TEXT = 32;

/**
 * One row of cells in colour, each cell two pixels one above the other, in pieces of CELLS_PER_TEXT
 * cells; neighbours that chalk writes alike (the same colours, or the same at a 256-colour terminal's
 * level) share their escapes.
 */
function colourRow(image: PreviewImage, layer: Layer, y: number): string[] {
	const {width, height} = image;
	const pieces: string[] = [];
	for (let start = 0; start < width; start += CELLS_PER_TEXT) {
		let piece = '';
		let run: {top: Rgb; bottom: Rgb; written: string; count: number} | undefined;
		for (let x = start; x < Math.min(width, start + CELLS_PER_TEXT); x++) {
			const pixel = y * width + x;
			const top = pixelColour(image, layer, pixel);
			const bottom = y + 1 < height ? pixelColour(image, layer, pixel + width) : top;
			const written = halfBlocks(top, bottom);
			if (run?.written === written) {
				run.count++;
				continue;
			}
			if (run) piece += halfBlocks(run.top, run.bottom, run.count);
			run = {top, bottom, written, count: 1};
		}
		if (run) piece += halfBlocks(run.top, run.bottom, run.count);
		pieces.push(piece);
	}
	return pieces;
}

/**
 * One layer's rows, each as pieces of finished text (escapes included) rather than an Ink element a
 * cell: thousands of elements made every frame of the review slow. In colour each character is two
 * pixels (colourRow); without colour each character is one pixel: a brightness ramp for the image,
 * '#' and '.' for the mask, '#' over a dimmer ramp for the overlay.
 */
function layerRows(image: PreviewImage, layer: Layer, color: boolean): string[][] {
	const {width, height} = image;
	const rows: string[][] = [];
	for (let y = 0; y < height; y += color ? 2 : 1) {
		if (color) {
			rows.push(colourRow(image, layer, y));
			continue;
		}
		let line = '';
		for (let x = 0; x < width; x++) line += pixelGlyph(image, layer, y * width + x);
		rows.push([line]);
	}
	return rows;
}

const layersOf: Record<PreviewView, Layer[]> = {
	'image | mask': ['image', 'mask'],
	overlay: ['overlay'],
	image: ['image'],
	mask: ['mask'],
};

/**
 * The tile's image and mask as the view asks: side by side, overlaid, or one of them alone. Memoised:
 * the rest of the screen redraws without building the rows again.
 */
export const TilePreview = memo(function TilePreview({
	image,
	view,
	color,
}: {
	image: PreviewImage;
	view: PreviewView;
	color: boolean;
}) {
	const layers = layersOf[view].map((layer) => layerRows(image, layer, color));
	return (
		<Box flexDirection="column">
			{layers[0].map((_, index) => (
				<Box key={index}>
					{layers.flatMap((rows, layer) =>
						rows[index].map((piece, part) => (
							<Text key={`${layer}-${part}`} wrap="truncate">
								{layer > 0 && part === 0 ? ` ${piece}` : piece}
							</Text>
						)),
					)}
				</Box>
			))}
		</Box>
	);
});
