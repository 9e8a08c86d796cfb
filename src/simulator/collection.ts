// An insertion-ordered collection with O(1) lookup by id and O(log n) marker positioning,
// so a 100k-item list can be paged without scanning from the start.

export interface Keyed {
  id: string;
}

export interface Page<T> {
  items: T[];
  /** True when the page was cut by the limit (a next link is due). */
  more: boolean;
}

export class Collection<T extends Keyed> {
  private readonly items: T[] = [];
  private readonly seqs: number[] = [];
  private readonly byId = new Map<string, { item: T; seq: number }>();
  private nextSeq = 1;
  private removedSinceCompact = 0;

  get size(): number {
    return this.byId.size;
  }

  add(item: T): T {
    const seq = this.nextSeq++;
    this.items.push(item);
    this.seqs.push(seq);
    this.byId.set(item.id, { item, seq });
    return item;
  }

  get(id: string): T | undefined {
    return this.byId.get(id)?.item;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  delete(id: string): boolean {
    if (!this.byId.delete(id)) return false;
    // Left in the array as a tombstone until enough accumulate to compact.
    if (++this.removedSinceCompact > 64 && this.removedSinceCompact > this.items.length / 4) this.compact();
    return true;
  }

  *values(descending = false): IterableIterator<T> {
    if (descending) {
      for (let i = this.items.length - 1; i >= 0; i--) if (this.isLive(i)) yield this.items[i];
    } else {
      for (let i = 0; i < this.items.length; i++) if (this.isLive(i)) yield this.items[i];
    }
  }

  filter(predicate: (item: T) => boolean, descending = false): T[] {
    const out: T[] = [];
    for (const item of this.values(descending)) if (predicate(item)) out.push(item);
    return out;
  }

  /**
   * One page after `marker` (exclusive). Returns undefined when the marker is unknown.
   * `limit` of Infinity means everything.
   */
  page(opts: {
    marker?: string;
    limit: number;
    descending?: boolean;
    where?: (item: T) => boolean;
  }): Page<T> | undefined {
    const { limit, descending = false, where } = opts;
    let index = descending ? this.items.length - 1 : 0;
    if (opts.marker !== undefined) {
      const entry = this.byId.get(opts.marker);
      if (!entry) return undefined;
      const at = this.indexOfSeq(entry.seq);
      index = descending ? at - 1 : at + 1;
    }
    const items: T[] = [];
    const step = descending ? -1 : 1;
    for (; index >= 0 && index < this.items.length; index += step) {
      if (!this.isLive(index)) continue;
      const item = this.items[index];
      if (where && !where(item)) continue;
      if (items.length >= limit) return { items, more: true };
      items.push(item);
    }
    return { items, more: false };
  }

  private isLive(index: number): boolean {
    const item = this.items[index];
    return this.byId.get(item.id)?.seq === this.seqs[index];
  }

  private indexOfSeq(seq: number): number {
    let lo = 0;
    let hi = this.seqs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid] === seq) return mid;
      if (this.seqs[mid] < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private compact(): void {
    let write = 0;
    for (let read = 0; read < this.items.length; read++) {
      if (!this.isLive(read)) continue;
      this.items[write] = this.items[read];
      this.seqs[write] = this.seqs[read];
      write++;
    }
    this.items.length = write;
    this.seqs.length = write;
    this.removedSinceCompact = 0;
  }
}
