/**
 * A CPU stand-in for the few WebGL2 calls the CPU-delegate graph of `@mediapipe/tasks-vision` still makes,
 * and the canvas that hands it out. Calls it does not implement report themselves once.
 * See ../shared/docs/mediapipe-in-node.md.
 */

// ---------------------------------------------------------------------------------------------------------
// Reporting WebGL calls the stand-in does not implement

/** Receives one line per unimplemented WebGL call, constant or parameter, the first time it is seen. */
export type WebGlReporter = (message: string) => void;

const reportedWebGl = new Set<string>();
let webGlReporter: WebGlReporter = (message) => console.warn(message);

/** Replaces the default reporter (console.warn); returns the previous one. */
export function setWebGlReporter(reporter: WebGlReporter): WebGlReporter {
  const previous = webGlReporter;
  webGlReporter = reporter;
  return previous;
}

/** What the stand-in was asked for and does not implement, in first-seen order (this thread). */
export function unimplementedWebGlCalls(): readonly string[] {
  return [...reportedWebGl];
}

function reportUnimplemented(what: string): void {
  if (reportedWebGl.has(what)) return;
  reportedWebGl.add(what);
  webGlReporter(
    `lrnet-data: the CPU WebGL stand-in for MediaPipe does not implement ${what}; ` +
      "landmarks may be wrong (did @mediapipe/tasks-vision change version?)",
  );
}

// ---------------------------------------------------------------------------------------------------------
// CPU WebGL2 stand-in

/** The WebGL enums the stand-in understands (values from the WebGL 2 specification). */
const GL = {
  NO_ERROR: 0x0000,
  INVALID_ENUM: 0x0500,
  INVALID_VALUE: 0x0501,
  INVALID_OPERATION: 0x0502,
  TEXTURE_2D: 0x0de1,
  TEXTURE0: 0x84c0,
  ACTIVE_TEXTURE: 0x84e0,
  TEXTURE_BINDING_2D: 0x8069,
  ALPHA: 0x1906,
  RGB: 0x1907,
  RGBA: 0x1908,
  LUMINANCE: 0x1909,
  LUMINANCE_ALPHA: 0x190a,
  RED: 0x1903,
  RG: 0x8227,
  R8: 0x8229,
  RG8: 0x822b,
  RGB8: 0x8051,
  RGBA8: 0x8058,
  R16F: 0x822d,
  R32F: 0x822e,
  RGBA16F: 0x881a,
  RGBA32F: 0x8814,
  UNSIGNED_BYTE: 0x1401,
  FLOAT: 0x1406,
  HALF_FLOAT: 0x140b,
  UNPACK_ALIGNMENT: 0x0cf5,
  PACK_ALIGNMENT: 0x0d05,
  UNPACK_FLIP_Y_WEBGL: 0x9240,
  UNPACK_PREMULTIPLY_ALPHA_WEBGL: 0x9241,
  UNPACK_COLORSPACE_CONVERSION_WEBGL: 0x9243,
  FRAMEBUFFER: 0x8d40,
  READ_FRAMEBUFFER: 0x8ca8,
  DRAW_FRAMEBUFFER: 0x8ca9,
  FRAMEBUFFER_BINDING: 0x8ca6,
  READ_FRAMEBUFFER_BINDING: 0x8caa,
  COLOR_ATTACHMENT0: 0x8ce0,
  FRAMEBUFFER_COMPLETE: 0x8cd5,
  FRAMEBUFFER_INCOMPLETE_MISSING_ATTACHMENT: 0x8cd7,
  SYNC_GPU_COMMANDS_COMPLETE: 0x9117,
  SYNC_STATUS: 0x9114,
  SIGNALED: 0x9119,
  ALREADY_SIGNALED: 0x911a,
  VENDOR: 0x1f00,
  RENDERER: 0x1f01,
  VERSION: 0x1f02,
  SHADING_LANGUAGE_VERSION: 0x8b8c,
  MAX_TEXTURE_SIZE: 0x0d33,
  MAX_VIEWPORT_DIMS: 0x0d3a,
  MAX_RENDERBUFFER_SIZE: 0x84e8,
  MAX_VERTEX_ATTRIBS: 0x8869,
  MAX_TEXTURE_IMAGE_UNITS: 0x8872,
  MAX_COMBINED_TEXTURE_IMAGE_UNITS: 0x8b4d,
  MAX_COLOR_ATTACHMENTS: 0x8cdf,
  MAX_DRAW_BUFFERS: 0x8824,
} as const;

/** Answers of `getParameter` (a capable desktop-class WebGL 2 context). */
const PARAMETERS = new Map<number, unknown>([
  [GL.VENDOR, "lrnet-data"],
  [GL.RENDERER, "CPU WebGL2 stand-in"],
  [GL.VERSION, "WebGL 2.0 (CPU stand-in)"],
  [GL.SHADING_LANGUAGE_VERSION, "WebGL GLSL ES 3.00 (CPU stand-in)"],
  [GL.MAX_TEXTURE_SIZE, 16384],
  [GL.MAX_RENDERBUFFER_SIZE, 16384],
  [GL.MAX_VIEWPORT_DIMS, new Int32Array([16384, 16384])],
  [GL.MAX_VERTEX_ATTRIBS, 16],
  [GL.MAX_TEXTURE_IMAGE_UNITS, 16],
  [GL.MAX_COMBINED_TEXTURE_IMAGE_UNITS, 32],
  [GL.MAX_COLOR_ATTACHMENTS, 8],
  [GL.MAX_DRAW_BUFFERS, 8],
]);

/** Every method of the WebGL 2 API; those the stand-in lacks become stubs that report themselves once. */
const WEBGL2_METHODS = (
  "getContextAttributes isContextLost getSupportedExtensions getExtension activeTexture attachShader " +
  "bindAttribLocation bindBuffer bindFramebuffer bindRenderbuffer bindTexture blendColor blendEquation " +
  "blendEquationSeparate blendFunc blendFuncSeparate bufferData bufferSubData checkFramebufferStatus clear " +
  "clearColor clearDepth clearStencil colorMask compileShader compressedTexImage2D compressedTexSubImage2D " +
  "copyTexImage2D copyTexSubImage2D createBuffer createFramebuffer createProgram createRenderbuffer " +
  "createShader createTexture cullFace deleteBuffer deleteFramebuffer deleteProgram deleteRenderbuffer " +
  "deleteShader deleteTexture depthFunc depthMask depthRange detachShader disable disableVertexAttribArray " +
  "drawArrays drawElements enable enableVertexAttribArray finish flush framebufferRenderbuffer " +
  "framebufferTexture2D frontFace generateMipmap getActiveAttrib getActiveUniform getAttachedShaders " +
  "getAttribLocation getBufferParameter getParameter getError getFramebufferAttachmentParameter " +
  "getProgramParameter getProgramInfoLog getRenderbufferParameter getShaderParameter " +
  "getShaderPrecisionFormat getShaderInfoLog getShaderSource getTexParameter getUniform getUniformLocation " +
  "getVertexAttrib getVertexAttribOffset hint isBuffer isEnabled isFramebuffer isProgram isRenderbuffer " +
  "isShader isTexture lineWidth linkProgram pixelStorei polygonOffset readPixels renderbufferStorage " +
  "sampleCoverage scissor shaderSource stencilFunc stencilFuncSeparate stencilMask stencilMaskSeparate " +
  "stencilOp stencilOpSeparate texImage2D texParameterf texParameteri texSubImage2D uniform1f uniform2f " +
  "uniform3f uniform4f uniform1i uniform2i uniform3i uniform4i uniform1fv uniform2fv uniform3fv uniform4fv " +
  "uniform1iv uniform2iv uniform3iv uniform4iv uniformMatrix2fv uniformMatrix3fv uniformMatrix4fv useProgram " +
  "validateProgram vertexAttrib1f vertexAttrib2f vertexAttrib3f vertexAttrib4f vertexAttrib1fv " +
  "vertexAttrib2fv vertexAttrib3fv vertexAttrib4fv vertexAttribPointer viewport makeXRCompatible " +
  "copyBufferSubData getBufferSubData blitFramebuffer framebufferTextureLayer invalidateFramebuffer " +
  "invalidateSubFramebuffer readBuffer getInternalformatParameter renderbufferStorageMultisample " +
  "texStorage2D texStorage3D texImage3D texSubImage3D copyTexSubImage3D compressedTexImage3D " +
  "compressedTexSubImage3D getFragDataLocation uniform1ui uniform2ui uniform3ui uniform4ui uniform1uiv " +
  "uniform2uiv uniform3uiv uniform4uiv uniformMatrix3x2fv uniformMatrix4x2fv uniformMatrix2x3fv " +
  "uniformMatrix4x3fv uniformMatrix2x4fv uniformMatrix3x4fv vertexAttribI4i vertexAttribI4iv " +
  "vertexAttribI4ui vertexAttribI4uiv vertexAttribIPointer vertexAttribDivisor drawArraysInstanced " +
  "drawElementsInstanced drawRangeElements drawBuffers clearBufferfv clearBufferiv clearBufferuiv " +
  "clearBufferfi createQuery deleteQuery isQuery beginQuery endQuery getQuery getQueryParameter " +
  "createSampler deleteSampler isSampler bindSampler samplerParameteri samplerParameterf " +
  "getSamplerParameter fenceSync isSync deleteSync clientWaitSync waitSync getSyncParameter " +
  "createTransformFeedback deleteTransformFeedback isTransformFeedback bindTransformFeedback " +
  "beginTransformFeedback endTransformFeedback transformFeedbackVaryings getTransformFeedbackVarying " +
  "pauseTransformFeedback resumeTransformFeedback bindBufferBase bindBufferRange getIndexedParameter " +
  "getUniformIndices getActiveUniforms getUniformBlockIndex getActiveUniformBlockParameter " +
  "getActiveUniformBlockName uniformBlockBinding createVertexArray deleteVertexArray isVertexArray " +
  "bindVertexArray"
).split(" ");

/** A texture's level 0, tightly packed (no row padding), row 0 first as uploaded. */
export interface CpuTexture {
  width: number;
  height: number;
  format: number;
  type: number;
  bytesPerPixel: number;
  data: Uint8Array;
  /** `data` is the caller's image (a frame given to detect()), read in place until releaseBorrowed(). */
  borrowed?: boolean;
}

export interface CpuFramebuffer {
  colorAttachment: CpuTexture | null;
}

/** What `texImage2D`'s 6-argument form accepts here: an ImageData-like object. */
interface PixelSource {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

function channelsOf(format: number): number | null {
  switch (format) {
    case GL.RGBA:
      return 4;
    case GL.RGB:
      return 3;
    case GL.RG:
    case GL.LUMINANCE_ALPHA:
      return 2;
    case GL.RED:
    case GL.ALPHA:
    case GL.LUMINANCE:
      return 1;
    default:
      return null;
  }
}

function bytesPerChannelOf(type: number): number | null {
  switch (type) {
    case GL.UNSIGNED_BYTE:
      return 1;
    case GL.HALF_FLOAT:
      return 2;
    case GL.FLOAT:
      return 4;
    default:
      return null;
  }
}

/** The client-side layout `texStorage2D` implies for a sized internal format. */
function layoutOfSizedFormat(internalFormat: number): { format: number; type: number } | null {
  switch (internalFormat) {
    case GL.RGBA8:
      return { format: GL.RGBA, type: GL.UNSIGNED_BYTE };
    case GL.RGB8:
      return { format: GL.RGB, type: GL.UNSIGNED_BYTE };
    case GL.RG8:
      return { format: GL.RG, type: GL.UNSIGNED_BYTE };
    case GL.R8:
      return { format: GL.RED, type: GL.UNSIGNED_BYTE };
    case GL.R16F:
      return { format: GL.RED, type: GL.HALF_FLOAT };
    case GL.R32F:
      return { format: GL.RED, type: GL.FLOAT };
    case GL.RGBA16F:
      return { format: GL.RGBA, type: GL.HALF_FLOAT };
    case GL.RGBA32F:
      return { format: GL.RGBA, type: GL.FLOAT };
    default:
      return null;
  }
}

function hexEnum(value: number): string {
  return `0x${value.toString(16).padStart(4, "0")}`;
}

function bytesOf(view: ArrayBufferView, elementOffset = 0): Uint8Array {
  const elementSize = "BYTES_PER_ELEMENT" in view ? Number(view.BYTES_PER_ELEMENT) : 1;
  const start = view.byteOffset + elementOffset * elementSize;
  return new Uint8Array(view.buffer, start, view.byteLength - elementOffset * elementSize);
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/**
 * The WebGL2 context MediaPipe's CPU graph talks to: textures are byte arrays, a framebuffer only remembers
 * its colour attachment, and `readPixels` copies bytes back. No shaders, no drawing.
 */
export class CpuWebGL2Context {
  readonly canvas: CanvasStandIn;
  private readonly attributes: Record<string, unknown>;
  private activeUnit = 0;
  private readonly boundTextures = new Map<number, CpuTexture | null>();
  private readFramebuffer: CpuFramebuffer | null = null;
  private drawFramebuffer: CpuFramebuffer | null = null;
  private readonly pixelStore = new Map<number, number | boolean>([
    [GL.UNPACK_ALIGNMENT, 4],
    [GL.PACK_ALIGNMENT, 4],
    [GL.UNPACK_FLIP_Y_WEBGL, false],
  ]);
  private error: number = GL.NO_ERROR;
  private readonly borrowed = new Set<CpuTexture>();

  constructor(canvas: CanvasStandIn, attributes: Record<string, unknown> = {}) {
    this.canvas = canvas;
    this.attributes = { ...attributes };
  }

  getContextAttributes(): Record<string, unknown> {
    return { ...this.attributes };
  }

  isContextLost(): boolean {
    return false;
  }

  getSupportedExtensions(): string[] {
    return [];
  }

  getExtension(_name: string): null {
    return null;
  }

  getParameter(pname: number): unknown {
    switch (pname) {
      case GL.ACTIVE_TEXTURE:
        return GL.TEXTURE0 + this.activeUnit;
      case GL.TEXTURE_BINDING_2D:
        return this.boundTextures.get(this.activeUnit) ?? null;
      case GL.FRAMEBUFFER_BINDING:
        return this.drawFramebuffer;
      case GL.READ_FRAMEBUFFER_BINDING:
        return this.readFramebuffer;
    }
    if (PARAMETERS.has(pname)) return PARAMETERS.get(pname);
    reportUnimplemented(`getParameter(${hexEnum(pname)})`);
    return null;
  }

  getError(): number {
    const error = this.error;
    this.error = GL.NO_ERROR;
    return error;
  }

  pixelStorei(pname: number, value: number | boolean): void {
    if (!this.pixelStore.has(pname) && pname !== GL.UNPACK_PREMULTIPLY_ALPHA_WEBGL &&
      pname !== GL.UNPACK_COLORSPACE_CONVERSION_WEBGL) {
      reportUnimplemented(`pixelStorei(${hexEnum(pname)})`);
    }
    this.pixelStore.set(pname, value);
  }

  activeTexture(unit: number): void {
    this.activeUnit = unit - GL.TEXTURE0;
  }

  createTexture(): CpuTexture {
    return { width: 0, height: 0, format: GL.RGBA, type: GL.UNSIGNED_BYTE, bytesPerPixel: 4, data: new Uint8Array(0) };
  }

  deleteTexture(texture: CpuTexture | null): void {
    if (!texture) return;
    this.unborrow(texture);
    texture.data = new Uint8Array(0);
  }

  /**
   * Forgets every image uploaded from an ImageData-like source: they were read in place (no copy), and their
   * owner may reuse the bytes once the call that uploaded them has returned. A later read of such a texture
   * is reported instead of reading someone else's bytes.
   */
  releaseBorrowed(): void {
    for (const texture of this.borrowed) {
      texture.data = new Uint8Array(0);
      texture.borrowed = false;
    }
    this.borrowed.clear();
  }

  isTexture(texture: unknown): boolean {
    return texture !== null && typeof texture === "object" && "bytesPerPixel" in texture;
  }

  bindTexture(target: number, texture: CpuTexture | null): void {
    if (target !== GL.TEXTURE_2D) {
      reportUnimplemented(`bindTexture(${hexEnum(target)})`);
      return;
    }
    this.boundTextures.set(this.activeUnit, texture);
  }

  /** Sampling parameters do not matter: nothing samples the textures. */
  texParameteri(_target: number, _pname: number, _value: number): void {}

  texParameterf(_target: number, _pname: number, _value: number): void {}

  texStorage2D(target: number, levels: number, internalFormat: number, width: number, height: number): void {
    const layout = layoutOfSizedFormat(internalFormat);
    if (!layout) {
      reportUnimplemented(`texStorage2D(internal format ${hexEnum(internalFormat)})`);
      return;
    }
    if (levels !== 1) reportUnimplemented("texStorage2D with mipmap levels");
    this.defineLevel0(target, width, height, layout.format, layout.type, null, false);
  }

  /**
   * All three WebGL2 forms: (target, level, internalformat, width, height, border, format, type, pixels|null),
   * the same with (srcData, srcOffset), and (target, level, internalformat, format, type, source) where
   * source is ImageData-like.
   */
  texImage2D(target: number, level: number, _internalFormat: number, ...rest: unknown[]): void {
    if (level !== 0) {
      reportUnimplemented("texImage2D with level > 0");
      return;
    }
    if (rest.length === 3) {
      const [format, type, source] = rest as [number, number, PixelSource];
      if (!source || typeof source !== "object" || !ArrayBuffer.isView(source.data)) {
        reportUnimplemented("texImage2D from a source without a pixel array (ImageBitmap, video, canvas)");
        return;
      }
      this.defineLevel0(target, source.width, source.height, format, type, source.data, true);
      return;
    }
    const [width, height, _border, format, type, pixels, srcOffset] = rest as [
      number, number, number, number, number, ArrayBufferView | null, number | undefined,
    ];
    this.defineLevel0(target, width, height, format, type, pixels ? bytesOf(pixels, srcOffset ?? 0) : null, false);
  }

  texSubImage2D(
    target: number, level: number, x: number, y: number, width: number, height: number,
    format: number, type: number, pixels: ArrayBufferView | null, srcOffset = 0,
  ): void {
    const texture = this.boundTexture(target);
    if (!texture || level !== 0 || !pixels || format !== texture.format || type !== texture.type ||
      x < 0 || y < 0 || x + width > texture.width || y + height > texture.height) {
      reportUnimplemented("texSubImage2D outside a plain same-format level-0 update");
      this.error = GL.INVALID_OPERATION;
      return;
    }
    if (texture.borrowed) {
      // The caller's image is never written: the texture gets bytes of its own first.
      const own = texture.data.slice();
      this.unborrow(texture);
      texture.data = own;
    }
    const source = bytesOf(pixels, srcOffset);
    const rowBytes = width * texture.bytesPerPixel;
    const sourceStride = alignUp(rowBytes, Number(this.pixelStore.get(GL.UNPACK_ALIGNMENT)));
    for (let row = 0; row < height; row++) {
      const at = ((y + row) * texture.width + x) * texture.bytesPerPixel;
      texture.data.set(source.subarray(row * sourceStride, row * sourceStride + rowBytes), at);
    }
  }

  createFramebuffer(): CpuFramebuffer {
    return { colorAttachment: null };
  }

  deleteFramebuffer(framebuffer: CpuFramebuffer | null): void {
    if (framebuffer) framebuffer.colorAttachment = null;
  }

  isFramebuffer(framebuffer: unknown): boolean {
    return framebuffer !== null && typeof framebuffer === "object" && "colorAttachment" in framebuffer;
  }

  bindFramebuffer(target: number, framebuffer: CpuFramebuffer | null): void {
    if (target === GL.FRAMEBUFFER || target === GL.READ_FRAMEBUFFER) this.readFramebuffer = framebuffer;
    if (target === GL.FRAMEBUFFER || target === GL.DRAW_FRAMEBUFFER) this.drawFramebuffer = framebuffer;
  }

  framebufferTexture2D(target: number, attachment: number, _textarget: number, texture: CpuTexture | null, _level: number): void {
    if (attachment !== GL.COLOR_ATTACHMENT0) {
      reportUnimplemented(`framebufferTexture2D(attachment ${hexEnum(attachment)})`);
      return;
    }
    const framebuffer = target === GL.READ_FRAMEBUFFER ? this.readFramebuffer : this.drawFramebuffer;
    if (!framebuffer) {
      reportUnimplemented("framebufferTexture2D on the default framebuffer");
      return;
    }
    framebuffer.colorAttachment = texture;
  }

  checkFramebufferStatus(target: number): number {
    const framebuffer = target === GL.READ_FRAMEBUFFER ? this.readFramebuffer : this.drawFramebuffer;
    return framebuffer?.colorAttachment ? GL.FRAMEBUFFER_COMPLETE : GL.FRAMEBUFFER_INCOMPLETE_MISSING_ATTACHMENT;
  }

  /** Copies a rectangle of the read framebuffer's colour attachment; rows are padded to PACK_ALIGNMENT. */
  readPixels(
    x: number, y: number, width: number, height: number, format: number, type: number,
    destination: ArrayBufferView | null, dstOffset = 0,
  ): void {
    const texture = this.readFramebuffer?.colorAttachment;
    if (!texture) {
      reportUnimplemented("readPixels from the default framebuffer");
      this.error = GL.INVALID_OPERATION;
      return;
    }
    if (!destination || format !== texture.format || type !== texture.type) {
      reportUnimplemented(
        `readPixels converting ${hexEnum(texture.format)}/${hexEnum(texture.type)} to ${hexEnum(format)}/${hexEnum(type)}`,
      );
      this.error = GL.INVALID_OPERATION;
      return;
    }
    if (x < 0 || y < 0 || x + width > texture.width || y + height > texture.height) {
      reportUnimplemented("readPixels outside the attached texture");
      this.error = GL.INVALID_VALUE;
      return;
    }
    if (texture.data.length < texture.width * texture.height * texture.bytesPerPixel) {
      reportUnimplemented("readPixels of an image after the detect() call that uploaded it returned");
      this.error = GL.INVALID_OPERATION;
      return;
    }
    const target = bytesOf(destination, dstOffset);
    const rowBytes = width * texture.bytesPerPixel;
    const targetStride = alignUp(rowBytes, Number(this.pixelStore.get(GL.PACK_ALIGNMENT)));
    for (let row = 0; row < height; row++) {
      const from = ((y + row) * texture.width + x) * texture.bytesPerPixel;
      target.set(texture.data.subarray(from, from + rowBytes), row * targetStride);
    }
  }

  /** Everything runs synchronously on the CPU, so every fence is already signalled. */
  fenceSync(_condition: number, _flags: number): object {
    return {};
  }

  isSync(sync: unknown): boolean {
    return sync !== null && typeof sync === "object";
  }

  deleteSync(_sync: object | null): void {}

  clientWaitSync(_sync: object, _flags: number, _timeout: number): number {
    return GL.ALREADY_SIGNALED;
  }

  waitSync(_sync: object, _flags: number, _timeout: number): void {}

  getSyncParameter(_sync: object, pname: number): number | null {
    if (pname === GL.SYNC_STATUS) return GL.SIGNALED;
    reportUnimplemented(`getSyncParameter(${hexEnum(pname)})`);
    return null;
  }

  flush(): void {}

  finish(): void {}

  viewport(_x: number, _y: number, _width: number, _height: number): void {}

  private boundTexture(target: number): CpuTexture | null {
    if (target !== GL.TEXTURE_2D) {
      reportUnimplemented(`texture target ${hexEnum(target)}`);
      return null;
    }
    const texture = this.boundTextures.get(this.activeUnit) ?? null;
    if (!texture) this.error = GL.INVALID_OPERATION;
    return texture;
  }

  private unborrow(texture: CpuTexture): void {
    texture.borrowed = false;
    this.borrowed.delete(texture);
  }

  private defineLevel0(
    target: number, width: number, height: number, format: number, type: number,
    pixels: Uint8Array | Uint8ClampedArray | null, tightRows: boolean,
  ): void {
    const texture = this.boundTexture(target);
    if (!texture) return;
    const channels = channelsOf(format);
    const channelBytes = bytesPerChannelOf(type);
    if (channels === null || channelBytes === null) {
      reportUnimplemented(`textures of format ${hexEnum(format)} / type ${hexEnum(type)}`);
      this.error = GL.INVALID_ENUM;
      return;
    }
    const bytesPerPixel = channels * channelBytes;
    const rowBytes = width * bytesPerPixel;
    const size = rowBytes * height;
    Object.assign(texture, { width, height, format, type, bytesPerPixel });
    const flip = tightRows && this.pixelStore.get(GL.UNPACK_FLIP_Y_WEBGL) === true;
    if (pixels && tightRows && !flip && pixels.length >= size) {
      // An ImageData-like source (the frame given to detect()) is read in place until releaseBorrowed():
      // MediaPipe only reads it back (readPixels) during the call. One frame's copy saved.
      this.unborrow(texture);
      texture.data = new Uint8Array(pixels.buffer, pixels.byteOffset, size);
      texture.borrowed = true;
      this.borrowed.add(texture);
      return;
    }
    if (texture.borrowed) {
      this.unborrow(texture);
      texture.data = new Uint8Array(0);
    }
    if (texture.data.length !== size) texture.data = new Uint8Array(size);
    if (!pixels) {
      texture.data.fill(0);
      return;
    }
    const sourceStride = tightRows ? rowBytes : alignUp(rowBytes, Number(this.pixelStore.get(GL.UNPACK_ALIGNMENT)));
    if (sourceStride === rowBytes && !flip) {
      if (pixels.length < size) {
        this.error = GL.INVALID_OPERATION;
        return;
      }
      texture.data.set(pixels.subarray(0, size));
      return;
    }
    for (let row = 0; row < height; row++) {
      const sourceRow = flip ? height - 1 - row : row;
      texture.data.set(pixels.subarray(sourceRow * sourceStride, sourceRow * sourceStride + rowBytes), row * rowBytes);
    }
  }
}

for (const [name, value] of Object.entries(GL)) {
  Object.defineProperty(CpuWebGL2Context.prototype, name, { value, enumerable: true });
  Object.defineProperty(CpuWebGL2Context, name, { value, enumerable: true });
}
for (const name of WEBGL2_METHODS) {
  if (name in CpuWebGL2Context.prototype) continue;
  Object.defineProperty(CpuWebGL2Context.prototype, name, {
    value: function unimplemented(): null {
      reportUnimplemented(`${name}()`);
      return null;
    },
  });
}

/** Reads of upper-case names (WebGL enums) the stand-in does not define are reported instead of silently undefined. */
const reportUnknownEnums: ProxyHandler<CpuWebGL2Context> = {
  get(target, property, receiver) {
    if (typeof property === "string" && !(property in target) && /^[A-Z][A-Z0-9_]+$/.test(property)) {
      reportUnimplemented(`the enum ${property}`);
    }
    return Reflect.get(target, property, receiver);
  },
};

/** What `getContext` hands out: never 2D, never WebGL 1; one WebGL2 stand-in per canvas. */
export class CanvasStandIn {
  width: number;
  height: number;
  private context: CpuWebGL2Context | null = null;

  constructor(width = 1, height = 1) {
    this.width = width;
    this.height = height;
  }

  getContext(kind: string, attributes?: Record<string, unknown>): CpuWebGL2Context | null {
    if (kind !== "webgl2") return null;
    this.context ??= new Proxy(new CpuWebGL2Context(this, attributes), reportUnknownEnums);
    return this.context;
  }

  /** See CpuWebGL2Context.releaseBorrowed: call when the call that uploaded a caller's image returns. */
  releaseBorrowedImages(): void {
    this.context?.releaseBorrowed();
  }
}
