/** Parsing the input description ffmpeg prints on stderr (`Input #0, … Stream #0:0: Video: …`), since the npm ffmpeg has no ffprobe. */

export interface VideoStreamHeader {
  /** Stream index inside the file (the N of `Stream #0:N`). */
  index: number;
  codec: string;
  /** Coded size, before rotation. */
  codedWidth: number;
  codedHeight: number;
  /** Size of the frames ffmpeg outputs: swapped when the stream is rotated by ±90°, which ffmpeg applies by default. */
  width: number;
  height: number;
  /** Frames per second from "N fps" (average rate), else "N tbr"; null when neither is printed. */
  fps: number | null;
  /** Rotation ffmpeg applies, in degrees clockwise, normalised to [0, 360). */
  rotation: number;
  /** The decoder's pixel format as ffmpeg names it (e.g. "yuv420p", "yuvj444p"), null when not printed. */
  pixelFormat: string | null;
  /** The colour range tag: "tv" (limited), "pc" (full), null when untagged. */
  colorRange: "tv" | "pc" | null;
  /** The colour matrix tag as printed (e.g. "bt709", "smpte170m"; "unknown" is null), null when untagged. */
  colorSpace: string | null;
}

export interface InputHeader {
  /** Demuxer name(s), e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "tty". */
  format: string;
  durationSeconds: number | null;
  /** The first video stream that is not an attached picture (cover art). */
  video: VideoStreamHeader | null;
  /** Kind of every stream, e.g. ["Video", "Audio"]. */
  streamKinds: string[];
}

const INPUT = /^Input #0, (.+?), from '.*':$/;
const HEADER_END = /^(Output #\d|Stream mapping:|Press \[q\]|At least one output file)/;
const DURATION = /^\s*Duration: (?:(\d+):(\d\d):(\d\d(?:\.\d+)?)|N\/A)/;
const STREAM = /^\s*Stream #0:(\d+)(?:\[0x[0-9a-f]+\])?(?:\([^)]*\))?: (\w+): (.*)$/;
// "0x31637661" (a codec tag) must not read as a size, hence no leading zero.
const SIZE = /\b([1-9]\d*)x([1-9]\d*)\b/;
const FPS = /(\d+(?:\.\d+)?)(k?) fps\b/;
/** The pixel format is the item before the size: "…, yuv420p(tv, bt709), 1280x720, …" or "…, yuv444p, 1280x720". */
const PIXEL_FORMAT = /,\s*([a-z][a-z0-9_]*)(?:\(([^)]*)\))?,\s*[1-9]\d*x[1-9]\d*\b/;
/** Field orders ffmpeg prints among the colour details; they are not colour tags. */
const FIELD_ORDERS = new Set(["progressive", "top first", "bottom first", "top coded first (swapped)", "bottom coded first (swapped)"]);
const TBR = /(\d+(?:\.\d+)?)(k?) tbr\b/;
const ROTATE_TAG = /^\s*rotate\s*:\s*(-?\d+(?:\.\d+)?)\s*$/;
const DISPLAY_MATRIX = /displaymatrix: rotation of (-?\d+(?:\.\d+)?) degrees/;

/**
 * Reads the header from ffmpeg log texts (level prefixes already stripped). Returns null when ffmpeg printed
 * no input description, i.e. it could not open the file.
 */
export function parseInputHeader(texts: readonly string[]): InputHeader | null {
  const start = texts.findIndex((text) => INPUT.test(text));
  if (start < 0) return null;
  const header: InputHeader = { format: INPUT.exec(texts[start]!)![1]!, durationSeconds: null, video: null, streamKinds: [] };
  let current: { stream: VideoStreamHeader; rotateTag: number | null; matrix: number | null } | null = null;
  const finishStream = (): void => {
    if (!current) return;
    header.video = withRotation(current.stream, current.rotateTag, current.matrix);
    current = null;
  };

  for (let i = start + 1; i < texts.length; i++) {
    const text = texts[i]!;
    if (HEADER_END.test(text) || INPUT.test(text)) break;
    const duration = DURATION.exec(text);
    if (duration) {
      if (duration[1] !== undefined) {
        header.durationSeconds = Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]);
      }
      continue;
    }
    const stream = STREAM.exec(text);
    if (stream) {
      finishStream();
      const kind = stream[2]!;
      const details = stream[3]!;
      header.streamKinds.push(kind);
      if (kind === "Video" && header.video === null && !details.includes("(attached pic)")) {
        const parsed = parseVideoDetails(Number(stream[1]), details);
        if (parsed) current = { stream: parsed, rotateTag: null, matrix: null };
      }
      continue;
    }
    if (current) {
      const tag = ROTATE_TAG.exec(text);
      if (tag) current.rotateTag = Number(tag[1]);
      const matrix = DISPLAY_MATRIX.exec(text);
      if (matrix) current.matrix = Number(matrix[1]);
    }
  }
  finishStream();
  return header;
}

function parseVideoDetails(index: number, details: string): VideoStreamHeader | null {
  const size = SIZE.exec(details);
  if (!size) return null;
  const codec = /^([^\s,(]+)/.exec(details)?.[1] ?? "unknown";
  const width = Number(size[1]);
  const height = Number(size[2]);
  return {
    index,
    codec,
    codedWidth: width,
    codedHeight: height,
    width,
    height,
    fps: rate(FPS.exec(details)) ?? rate(TBR.exec(details)),
    rotation: 0,
    ...pixelFormatOf(details),
  };
}

/**
 * "yuv420p(tv, bt709)": the format, then the range, then the colour space (printed as "matrix/primaries/transfer"
 * when those differ, as one name when they agree), then the field order; each only when known.
 */
function pixelFormatOf(details: string): Pick<VideoStreamHeader, "pixelFormat" | "colorRange" | "colorSpace"> {
  const match = PIXEL_FORMAT.exec(details);
  const tags = (match?.[2] ?? "").split(",").map((t) => t.trim()).filter((t) => t !== "" && !FIELD_ORDERS.has(t));
  const range = tags[0] === "tv" || tags[0] === "pc" ? tags.shift()! : null;
  const matrix = tags[0]?.split("/")[0] ?? null;
  return {
    pixelFormat: match?.[1] ?? null,
    colorRange: range as "tv" | "pc" | null,
    colorSpace: matrix === null || matrix === "unknown" ? null : matrix,
  };
}

/**
 * ffmpeg prints rates rounded to 2 decimals ("29.97"); NTSC-family rates are really N×1000/1001, which is what
 * OpenCV reports, so map values that are that close to the exact fraction.
 */
function rate(match: RegExpExecArray | null): number | null {
  if (!match) return null;
  const value = Number(match[1]) * (match[2] === "k" ? 1000 : 1);
  if (!(value > 0)) return null;
  if (!Number.isInteger(value)) {
    const nominal = Math.round(value * 1.001);
    if (nominal > 0 && Math.abs(nominal / 1.001 - value) < 0.006) return (nominal * 1000) / 1001;
  }
  return value;
}

/**
 * ffmpeg 4.x (cmdutils get_rotation) prefers a non-zero "rotate" tag, else minus the display-matrix angle, and
 * auto-rotates by transposing for ~90°/270°.
 */
function withRotation(stream: VideoStreamHeader, rotateTag: number | null, matrix: number | null): VideoStreamHeader {
  let theta = rotateTag !== null && rotateTag !== 0 ? rotateTag : matrix !== null ? -matrix : 0;
  theta -= 360 * Math.floor(theta / 360 + 0.9 / 360);
  const transposed = Math.abs(theta - 90) < 1 || Math.abs(theta - 270) < 1;
  return {
    ...stream,
    rotation: theta === 0 ? 0 : theta, // not -0
    width: transposed ? stream.codedHeight : stream.codedWidth,
    height: transposed ? stream.codedWidth : stream.codedHeight,
  };
}
