/** This process's peak resident memory in MB (see peak-rss.mjs). */
export function peakRssMb(): number;
