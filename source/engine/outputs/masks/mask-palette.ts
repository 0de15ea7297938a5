import type {ClassConfig} from '../../classes/class-config.js';
import type {PaletteEntry} from '../../geo/georaster.js';

/** The colour of each class id (the classes are ids 0..C-1, in order); the VRT shows the background transparent. */
export function maskPalette(classes: ClassConfig): PaletteEntry[] {
	return classes.classes.map((info) => info.color);
}
