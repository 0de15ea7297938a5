/**
 * A hostile upstream for the fault suite: it passes service descriptions through from a real (demo)
 * service and answers every export in one hostile way. Bounded in what it sends and for how long.
 */
import {createServer, type ServerResponse} from 'node:http';
import zlib from 'node:zlib';

export type Hostility =
	/** 1 MB of gzip that inflates to 1 GiB (1024 concatenated members of 1 MiB of zeros each). */
	| 'gzip-bomb'
	/** A TIFF header and then data without end (until the client hangs up, or 30 s, or 4 GiB). */
	| 'endless'
	/** Small images whose headers declare 16000 × 16000 pixels: a 128 KB TIFF (ImageServer), a PNG (MapServer). */
	| 'pixel-bomb'
	/** A redirect of every export, query string and all, to another server (which counts what reaches it). */
	| 'redirect';

const mebibyte = 1024 * 1024;

function gzipBomb(): Buffer {
	const member = zlib.gzipSync(Buffer.alloc(mebibyte), {level: 9});
	return Buffer.concat(Array.from({length: 1024}, () => member));
}

/** A little-endian TIFF: one IFD declaring `side` × `side` 8-bit grey pixels in one strip, and `size` bytes in all. */
function tiffDeclaring(side: number, size: number): Buffer {
	const tags: Array<[tag: number, type: number, value: number]> = [
		[256, 4, side], // ImageWidth
		[257, 4, side], // ImageLength
		[258, 3, 8], // BitsPerSample
		[259, 3, 1], // Compression: none
		[262, 3, 1], // Photometric: black is zero
		[273, 4, 256], // StripOffsets
		[277, 3, 1], // SamplesPerPixel
		[278, 4, side], // RowsPerStrip
		[279, 4, side * side], // StripByteCounts
	];
	const file = Buffer.alloc(size);
	file.write('II*\0', 0, 'latin1');
	file.writeUInt32LE(8, 4);
	file.writeUInt16LE(tags.length, 8);
	tags.forEach(([tag, type, value], index) => {
		const at = 10 + index * 12;
		file.writeUInt16LE(tag, at);
		file.writeUInt16LE(type, at + 2);
		file.writeUInt32LE(1, at + 4);
		if (type === 3) file.writeUInt16LE(value, at + 8);
		else file.writeUInt32LE(value, at + 8);
	});
	return file;
}

function pngChunk(type: string, data: Buffer): Buffer {
	const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(zlib.crc32(body));
	return Buffer.concat([length, body, crc]);
}

/** A PNG whose header declares `side` × `side` RGB pixels, with a few megabytes of zeros as its data. */
export function pngDeclaring(side: number): Buffer {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(side, 0);
	header.writeUInt32BE(side, 4);
	header.writeUInt8(8, 8); // bit depth
	header.writeUInt8(2, 9); // RGB
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk('IHDR', header),
		pngChunk('IDAT', zlib.deflateSync(Buffer.alloc(4 * mebibyte))),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

function sendEndless(response: ServerResponse): void {
	response.writeHead(200, {'Content-Type': 'image/tiff'});
	const chunk = Buffer.alloc(64 * 1024, 0x41);
	chunk.write('II*\0', 0, 'latin1');
	const until = Date.now() + 30_000;
	let sent = 0;
	const pump = () => {
		while (!response.destroyed && Date.now() < until && sent < 4096 * mebibyte) {
			sent += chunk.length;
			if (!response.write(chunk)) return void response.once('drain', pump);
		}
		response.end();
	};
	pump();
}

export async function startHostileServer(upstream: string, hostility: Hostility) {
	const origin = new URL(upstream).origin;
	const bomb = hostility === 'gzip-bomb' ? gzipBomb() : undefined;
	const tiff = tiffDeclaring(16000, 128 * 1024);
	const png = pngDeclaring(16000);
	let exports = 0;
	let stolen = 0;
	const thief = createServer((_request, response) => {
		stolen++;
		response.end();
	});
	await new Promise<void>((resolve) => thief.listen(0, '127.0.0.1', resolve));
	const thiefAddress = thief.address();
	const thiefPort = typeof thiefAddress === 'object' && thiefAddress ? thiefAddress.port : 0;
	const server = createServer((request, response) => {
		const url = new URL(request.url ?? '/', origin);
		void (async () => {
			if (!/\/export(Image)?$/i.test(url.pathname)) {
				const answer = await fetch(url);
				response.writeHead(answer.status, {'Content-Type': answer.headers.get('content-type') ?? 'text/plain'});
				return void response.end(Buffer.from(await answer.arrayBuffer()));
			}
			exports++;
			if (hostility === 'endless') return sendEndless(response);
			if (hostility === 'redirect') {
				response.writeHead(302, {Location: `http://127.0.0.1:${thiefPort}${url.pathname}${url.search}`});
				return void response.end();
			}
			const isTiff = /exportImage$/i.test(url.pathname);
			response.writeHead(200, {
				'Content-Type': isTiff ? 'image/tiff' : 'image/png',
				...(bomb && {'Content-Encoding': 'gzip'}),
			});
			response.end(bomb ?? (isTiff ? tiff : png));
		})().catch(() => response.destroy());
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return {
		url: `http://127.0.0.1:${port}/arcgis/rest/services`,
		exports: () => exports,
		/** Requests that reached the server redirects point to. */
		stolen: () => stolen,
		close: () =>
			Promise.all(
				[server, thief].map(
					(each) =>
						new Promise<void>((resolve) => {
							each.close(() => resolve());
							each.closeAllConnections();
						}),
				),
			),
	};
}
