/**
 * Lines an LRNet export keeps of a video whose frames with landmarks come in `stretches` (their counts, in
 * order) separated by frames where the face was lost: every stretch but the last is cut to whole blocks, so
 * that no block of LRNet's (starting at each multiple of `block` in the file) spans a lost face.
 */
export function linesAcrossStretches(stretches: readonly number[], block: number): number {
  let lines = 0;
  stretches.forEach((n, i) => {
    lines += i < stretches.length - 1 && block > 0 ? Math.floor(n / block) * block : n;
  });
  return lines;
}
