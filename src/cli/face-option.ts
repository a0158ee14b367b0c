import { type FaceChoice, parseFaceChoice } from "../shape/face-follower.js";
import { UsageError } from "./errors.js";

/** `--face largest|center|N`. */
export function parseFaceOption(text: string): FaceChoice {
  const choice = parseFaceChoice(text);
  if (!choice) throw new UsageError(`--face takes largest, center or a whole number N (the N-th face from the left), got "${text}"`);
  return choice;
}
