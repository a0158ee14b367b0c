import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { LandmarkFileError } from "./errors.js";
import { parseNpy } from "./npy.js";
import { facesOfFrameArray, frameArrayLayout } from "./npy-shape.js";
import type { ImportedFace, LandmarkTrack } from "./track.js";

const FRAME_FILE = /^(\d+)\.npy$/i;

/** The frame files of a per-frame folder: frame index (the number in the name) to file name. */
export function listFrameFiles(dir: string): Map<number, string> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LandmarkFileError(dir, code === "ENOENT" ? "folder not found" : code === "ENOTDIR" ? "not a folder" : `cannot list it (${code})`);
  }
  const frames = new Map<number, string>();
  for (const name of names) {
    const match = FRAME_FILE.exec(name);
    if (!match) continue;
    const frame = Number(match[1]);
    const other = frames.get(frame);
    if (other !== undefined) throw new LandmarkFileError(join(dir, name), `frame ${frame} also has ${other}`);
    frames.set(frame, name);
  }
  return frames;
}

/**
 * `npy-frames`: a folder with one `.npy` per frame, `<frame>.npy` (zero-padded or not; the number is the
 * frame index, from 0), each (P, 2), (1, P, 2) or (K, P, 2). A frame without a file is a failed detection.
 * Files are read one at a time, when their frame comes.
 */
export function openNpyFrames(dir: string, frameCount: number): LandmarkTrack {
  const files = listFrameFiles(dir);
  if (files.size === 0) throw new LandmarkFileError(dir, "no <frame>.npy file in the folder");
  const last = Math.max(...files.keys());
  if (last >= frameCount) {
    throw new LandmarkFileError(join(dir, files.get(last)!), `frame ${last} is beyond the video's ${frameCount} frames (frames count from 0)`);
  }
  const first = Math.min(...files.keys());
  const firstFile = join(dir, files.get(first)!);
  const points = frameArrayLayout(readFrame(firstFile, first), firstFile, first).points;
  return {
    path: dir,
    format: "npy-frames",
    points,
    faces(frame: number): ImportedFace[] {
      const name = files.get(frame);
      if (name === undefined) return [];
      const file = join(dir, name);
      const array = readFrame(file, frame);
      const layout = frameArrayLayout(array, file, frame);
      if (layout.points !== points) {
        throw new LandmarkFileError(file, `${layout.points} points, but ${firstFile} has ${points}`, frame);
      }
      return facesOfFrameArray(array.data, 0, layout.faces, points, layout.channels, file, frame);
    },
  };
}

function readFrame(file: string, frame: number): ReturnType<typeof parseNpy> {
  let bytes: Buffer;
  try {
    if (!statSync(file).isFile()) throw new LandmarkFileError(file, "not a file", frame);
    bytes = readFileSync(file);
  } catch (error) {
    if (error instanceof LandmarkFileError) throw error;
    throw new LandmarkFileError(file, `cannot read it (${(error as NodeJS.ErrnoException).code})`, frame);
  }
  try {
    return parseNpy(bytes, file);
  } catch (error) {
    if (error instanceof LandmarkFileError && error.frame === null) throw new LandmarkFileError(file, error.reason, frame);
    throw error;
  }
}
