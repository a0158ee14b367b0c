import { POINT_COUNT, createShape, type Shape } from "../../src/shape/shape.js";

/** One row to write; omitted fields get OpenFace-like defaults. */
export interface OpenFaceCsvRow {
  frame: number;
  /** default 0 */
  faceId?: number;
  /** default (frame − 1) / 25 */
  timestamp?: number;
  /** default 0.98 when successful, 0 otherwise */
  confidence?: number;
  /** default: true when a shape is given */
  success?: boolean;
  /** null/absent: zeros, as OpenFace writes for a failed detection */
  shape?: Shape | null;
}

export interface OpenFaceCsvOptions {
  /** `", "` (FeatureExtraction's default, also in the header) or `","`; default `", "` */
  separator?: ", " | ",";
  /** Write the full FeatureExtraction column set (gaze, eye landmarks, pose, 3D landmarks, PDM, AUs): 714 columns. */
  extraColumns?: boolean;
  /** default true */
  faceIdColumn?: boolean;
  /** default true */
  timestampColumn?: boolean;
  /** Reorder the columns (receives and returns header names). */
  columnOrder?: (names: string[]) => string[];
  /** default "\n" */
  lineEnding?: "\n" | "\r\n";
  /** Prefix a UTF-8 byte-order mark. */
  bom?: boolean;
}

const range = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
const AU_R = ["01", "02", "04", "05", "06", "07", "09", "10", "12", "14", "15", "17", "20", "23", "25", "26", "45"];
const AU_C = ["01", "02", "04", "05", "06", "07", "09", "10", "12", "14", "15", "17", "20", "23", "25", "26", "28", "45"];

/** FeatureExtraction's column groups in its order; `landmarks2d` marks where x_0..y_67 go. */
function columnNames(options: OpenFaceCsvOptions): string[] {
  const extra = options.extraColumns === true;
  const names = ["frame"];
  if (options.faceIdColumn !== false) names.push("face_id");
  if (options.timestampColumn !== false) names.push("timestamp");
  names.push("confidence", "success");
  if (extra) {
    names.push("gaze_0_x", "gaze_0_y", "gaze_0_z", "gaze_1_x", "gaze_1_y", "gaze_1_z", "gaze_angle_x", "gaze_angle_y");
    for (const axis of ["x", "y", "X", "Y", "Z"]) names.push(...range(`eye_lmk_${axis}_`, 56));
    names.push("pose_Tx", "pose_Ty", "pose_Tz", "pose_Rx", "pose_Ry", "pose_Rz");
  }
  names.push(...range("x_", POINT_COUNT), ...range("y_", POINT_COUNT));
  if (extra) {
    names.push(...range("X_", POINT_COUNT), ...range("Y_", POINT_COUNT), ...range("Z_", POINT_COUNT));
    names.push("p_scale", "p_rx", "p_ry", "p_rz", "p_tx", "p_ty", ...range("p_", 34));
    names.push(...AU_R.map((au) => `AU${au}_r`), ...AU_C.map((au) => `AU${au}_c`));
  }
  return names;
}

/** `digits` decimals like OpenFace when that is exact, otherwise the shortest round-trip form. */
function format(value: number, digits: number): string {
  const fixed = value.toFixed(digits);
  return Number(fixed) === value ? fixed : String(value);
}

/** Values of the extra groups: far from any 2D landmark value, so a confused column shows in the parse. */
function extraValue(name: string, column: number, frame: number): number {
  if (name.endsWith("_c")) return (column + frame) % 2;
  return 5000 + column + frame / 10;
}

/** CSV text as OpenFace 2.x writes it (header names after the first start with a space when the separator is ", "). */
export function makeOpenFaceCsv(rows: readonly OpenFaceCsvRow[], options: OpenFaceCsvOptions = {}): string {
  const separator = options.separator ?? ", ";
  const lineEnding = options.lineEnding ?? "\n";
  const natural = columnNames(options);
  const names = options.columnOrder ? options.columnOrder(natural) : natural;

  const lines = [names.join(separator)];
  for (const row of rows) {
    const shape = row.shape ?? createShape();
    const success = row.success ?? (row.shape !== undefined && row.shape !== null);
    const cells = names.map((name, column) => {
      switch (name) {
        case "frame":
          return String(row.frame);
        case "face_id":
          return String(row.faceId ?? 0);
        case "timestamp":
          return format(row.timestamp ?? (row.frame - 1) / 25, 3);
        case "confidence":
          return format(row.confidence ?? (success ? 0.98 : 0), 2);
        case "success":
          return success ? "1" : "0";
      }
      const landmark = /^([xy])_(\d+)$/.exec(name);
      if (landmark) return format(shape[2 * Number(landmark[2]) + (landmark[1] === "y" ? 1 : 0)]!, 1);
      return format(extraValue(name, column, row.frame), 3);
    });
    lines.push(cells.join(separator));
  }
  return (options.bom ? "\uFEFF" : "") + lines.join(lineEnding) + lineEnding;
}

/**
 * A face-like shape: 68 points on an ellipse centred at (cx, cy), `size` wide and 0.9 × `size` tall,
 * so `faceSize` is `size`. Values are rounded to 0.1 px like OpenFace output.
 */
export function syntheticShape(cx: number, cy: number, size: number): Shape {
  const shape = createShape();
  for (let p = 0; p < POINT_COUNT; p++) {
    const angle = (2 * Math.PI * p) / POINT_COUNT;
    shape[2 * p] = Math.round((cx + (size / 2) * Math.cos(angle)) * 10) / 10;
    shape[2 * p + 1] = Math.round((cy + 0.45 * size * Math.sin(angle)) * 10) / 10;
  }
  return shape;
}
