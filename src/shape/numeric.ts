/** numpy's `rint`: round to nearest, halves to even. */
export function rint(v: number): number {
  const r = Math.round(v);
  // Math.round rounds halves up; numpy rounds them to the even neighbour.
  if (Math.abs(v % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}
