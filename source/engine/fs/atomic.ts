import writeFileAtomic from 'write-file-atomic';
import {mkdir} from 'node:fs/promises';
import path from 'node:path';

/** Write a file so that readers see either the old content or the whole new one, never a part. */
export async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
	await mkdir(path.dirname(file), {recursive: true});
	await writeFileAtomic(file, typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
	await writeAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
