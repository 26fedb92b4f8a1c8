// Live views read the read models after the projection has applied the event they were told about.
// One poll of the checkpoints serves every waiter in this process.
import type { DeskReads } from './desk.ts';

export class ProjectionWatch {
  private checkpoints = new Map<string, bigint>();
  private polledAt = 0;
  private polling: Promise<void> | undefined;

  constructor(private readonly desk: DeskReads, private readonly pollMs = 20) {}

  /** Resolves true once projection `name` has applied `position`, false after `timeoutMs`. */
  async reached(name: string, position: bigint, timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((this.checkpoints.get(name) ?? -1n) >= position) return true;
      if (Date.now() >= deadline) return false;
      await this.refresh();
    }
  }

  private refresh(): Promise<void> {
    this.polling ??= (async () => {
      const wait = this.polledAt + this.pollMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        this.checkpoints = await this.desk.checkpoints();
      } finally {
        this.polledAt = Date.now();
        this.polling = undefined;
      }
    })();
    return this.polling;
  }
}
