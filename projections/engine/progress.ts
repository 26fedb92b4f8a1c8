// The rebuild's progress bar on stderr: events done, events/s and the time left.
export interface RebuildProgress {
  readonly applied: number;
  /** Events expected in all; undefined when the store cannot count cheaply. */
  readonly total: number | undefined;
  /** Share of the log done, 0..1, when known (from the count or from positions). */
  readonly fraction: number | undefined;
  readonly elapsedSeconds: number;
  /** What the rebuild does once the events are replayed (`building indexes`, `swapping in`). */
  readonly stage?: string;
}

const WIDTH = 30;

const duration = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(r)}` : `${pad(m)}:${pad(r)}`;
};

export const eventsPerSecond = (p: RebuildProgress): number => (p.elapsedSeconds > 0 ? p.applied / p.elapsedSeconds : 0);

/** Seconds left at the rate so far; Infinity when nothing is known yet. */
export function etaSeconds(p: RebuildProgress): number {
  const fraction = p.fraction ?? (p.total ? p.applied / p.total : undefined);
  if (fraction === undefined || fraction <= 0) return Infinity;
  return (p.elapsedSeconds * (1 - Math.min(1, fraction))) / fraction;
}

export function formatProgress(label: string, p: RebuildProgress): string {
  const fraction = Math.min(1, p.fraction ?? (p.total ? p.applied / p.total : 0));
  const filled = Math.round(fraction * WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
  const count = p.total === undefined ? `${p.applied}` : `${p.applied}/${p.total}`;
  const line = `${label} [${bar}] ${(fraction * 100).toFixed(1)}% ${count} events ${Math.round(eventsPerSecond(p))} ev/s ETA ${duration(etaSeconds(p))}`;
  return p.stage ? `${line}, ${p.stage}` : line;
}

export interface ProgressWriter {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** Redraws in place on a terminal; on a pipe or a log, one line every few seconds. */
export function progressBar(label: string, out: ProgressWriter, everyMs = 2_000): { update(p: RebuildProgress): void; done(p: RebuildProgress): void } {
  let last = 0;
  let stage: string | undefined;
  return {
    update(p) {
      const now = Date.now();
      const newStage = p.stage !== stage;
      stage = p.stage;
      if (out.isTTY) { if (newStage || now - last >= 100) { out.write(`\r${formatProgress(label, p)}\x1b[K`); last = now; } return; }
      if (newStage || now - last >= everyMs) { out.write(`${formatProgress(label, p)}\n`); last = now; }
    },
    done(p) {
      out.write(`${out.isTTY ? '\r' : ''}${formatProgress(label, { ...p, fraction: 1, stage: undefined })}${out.isTTY ? '\x1b[K' : ''}\n`);
    },
  };
}
