/**
 * sharp as deepmask uses it, with libvips's operation cache off: every image is decoded or encoded once, so the
 * cache only held memory (about 130 MB of a `deepmask infer` over 96 images of 1024²).
 */
import sharp from 'sharp';

sharp.cache(false);

export default sharp;
