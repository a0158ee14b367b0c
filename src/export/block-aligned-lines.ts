/**
 * LRNet's text lines of one video, with its rule for lost faces: the lines of a stretch of face that a lost
 * face ends are cut to whole blocks of `block` once the face is found again, so that none of LRNet's blocks
 * (taken at every multiple of `block` in the file) joins two stretches that are not consecutive in time.
 * A stretch that nothing follows is kept whole. Lines go to `emit` as soon as no cut can drop them.
 */
export class BlockAlignedLines {
  private pending: string[] = [];
  private afterLost = false;

  constructor(
    private readonly block: number,
    private readonly emit: (line: string) => void,
  ) {}

  push(line: string): void {
    if (this.afterLost) {
      this.pending = [];
      this.afterLost = false;
    }
    this.pending.push(line);
    if (this.block <= 0 || this.pending.length === this.block) this.flush();
  }

  /** A frame where the face was lost. */
  lost(): void {
    this.afterLost = true;
  }

  /** At the end of the video: what is still pending belongs to the last stretch (nothing follows it) and is kept. */
  finish(): void {
    this.flush();
  }

  private flush(): void {
    const lines = this.pending;
    this.pending = [];
    for (const line of lines) this.emit(line);
  }
}
