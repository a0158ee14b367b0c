/** A word for a POSIX shell: as it is when it holds only safe characters, else in single quotes. */
export function shellQuote(word: string): string {
  if (word !== "" && /^[A-Za-z0-9_\-+=.,/:@%]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(" ");
}

/**
 * A long command on several lines (`\` continuations), `perLine` option groups after the first words, so that a
 * generated job script stays readable.
 */
export function shellCommandLines(head: readonly string[], groups: readonly (readonly string[])[], indent = "    "): string {
  const lines = [shellCommand(head)];
  for (const group of groups) lines.push(indent + shellCommand(group));
  return lines.join(" \\\n");
}
