import type { Clock } from '../../src/scheduling/local/clock.js';

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

/** A clock tests move by hand; due timers run in time order as it advances. */
export class FakeClock implements Clock {
  private timers = new Map<number, Timer>();
  private seq = 0;

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.current + Math.max(0, ms), seq: id, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, running every timer that falls due, and the work they start. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      const next = [...this.timers.values()]
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.timers.delete(next.seq);
      this.current = Math.max(this.current, next.at);
      next.callback();
    }
    this.current = target;
    await settle();
  }

  async advanceTo(instant: string | number): Promise<void> {
    const at = typeof instant === 'string' ? Date.parse(instant) : instant;
    await this.advance(Math.max(0, at - this.current));
  }
}

/** Lets queued promise chains (store writes, event listeners) run to completion. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
