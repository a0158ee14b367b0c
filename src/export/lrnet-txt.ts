/** One line of LRNet's landmark text format: 136 values `%1.5f`, space separated. */
export function formatLrnetLine(values: ArrayLike<number>): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) parts[i] = values[i]!.toFixed(5);
  return parts.join(" ");
}

/** Parses LRNet's text format back into rows (used by tests and comparisons). */
export function parseLrnetText(text: string, file: string): Float64Array[] {
  const rows: Float64Array[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const cells = line.split(/\s+/);
    if (cells.length !== 136) throw new Error(`${file}:${i + 1}: expected 136 values, found ${cells.length}`);
    const row = new Float64Array(136);
    for (let j = 0; j < 136; j++) {
      const v = Number(cells[j]);
      if (!Number.isFinite(v)) throw new Error(`${file}:${i + 1}: value ${j + 1} is not a number: ${cells[j]}`);
      row[j] = v;
    }
    rows.push(row);
  }
  return rows;
}
