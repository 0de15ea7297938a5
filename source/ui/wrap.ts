/** Word-wrap text into lines of at most `width` columns (long words are cut). */
export function wrapText(text: string, width: number): string[] {
	if (width <= 0) return [];
	const lines: string[] = [];
	for (const paragraph of text.split('\n')) {
		let line = '';
		for (let word of paragraph.split(/\s+/).filter(Boolean)) {
			while (word.length > width) {
				if (line) lines.push(line);
				lines.push(word.slice(0, width));
				word = word.slice(width);
				line = '';
			}
			if (!word) continue;
			if (!line) line = word;
			else if (line.length + 1 + word.length <= width) line += ` ${word}`;
			else {
				lines.push(line);
				line = word;
			}
		}
		lines.push(line);
	}
	return lines;
}
