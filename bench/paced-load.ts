// Open-loop HTTP load at a fixed offered rate, from a worker thread (the server under test keeps its
// event loop to itself, as it would with clients on other machines).
//
// Request i is due at start + i / rate and goes out then on a free keep-alive connection (a new one is
// opened when all are busy, up to maxConnections). Latency is measured from when the request was due,
// not from when it went out, so a server that falls behind is charged for the wait it caused (no
// coordinated omission). The first second of the same load is sent but not measured (`warmupSeconds`):
// a fresh load thread's first requests carry its own start-up (tens of ms of JIT and new connections).
//
// Why not autocannon's rate option: autocannon gives each connection a budget per second and sends the
// budget as fast as it can when the second starts, then pauses; at "1,000 req/s" that is a burst of
// 1,000 requests every second, and its latency percentiles measure the queue of that burst (a bare
// fastify route measured p99 ≈ 90 ms that way on this machine). autocannon stays in use for the
// closed-loop maximum throughput figures.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { percentile, startWorker } from './report.ts';

export interface PacedRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface PacedLoadOptions {
  readonly url: string;
  /** Requests per second offered. */
  readonly rate: number;
  readonly seconds: number;
  /** Sent in turn. Every `{{uuid}}` in a header value or body is replaced by a fresh uuid per request. */
  readonly requests: readonly PacedRequest[];
  readonly maxConnections?: number;
  /**
   * Seconds of the same load sent first and not measured (default 1): the load thread's own start (its
   * code not yet optimized, its keep-alive connections not yet open) is not the server's latency.
   */
  readonly warmupSeconds?: number;
}

export interface PacedLoadResult {
  readonly offered: number;
  readonly completed: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Completed requests per second over the run. */
  readonly rps: number;
  /** Milliseconds from when each request was due to its full answer. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Runs the load in a worker thread and resolves with its figures. */
export function pacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const worker = startWorker(import.meta.url, { pacedLoad: options });
  return new Promise<PacedLoadResult>((resolve, reject) => {
    worker.once('message', (result: PacedLoadResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`load worker exited with ${code}`)); });
  });
}


/**
 * Starts job i of `count` at start + i / rate (open loop: a slow job never holds back the next start)
 * and resolves, with the start time, when all have finished (rejects with the first failure, then). `due` is when the job was due, which is
 * what latency is measured from.
 */
export async function openLoop(rate: number, count: number, start: (index: number, due: number) => Promise<void>): Promise<number> {
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let sent = 0;
  let failure: { error: unknown } | undefined;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      while (sent < count && started + (sent * 1000) / rate <= now) {
        const pending = start(sent, started + (sent * 1000) / rate);
        inFlight.add(pending);
        void pending.then(() => inFlight.delete(pending), (error: unknown) => { failure ??= { error }; inFlight.delete(pending); });
        sent += 1;
      }
      if (sent < count) setTimeout(tick, Math.max(0, started + (sent * 1000) / rate - performance.now()));
      else done();
    };
    tick();
  });
  await Promise.allSettled(inFlight);
  if (failure) throw failure.error; // the first job that failed, after all have finished
  return started;
}

async function runLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxConnections ?? 256 });
  const warmup = Math.round(options.rate * (options.warmupSeconds ?? 1));
  const total = warmup + Math.round(options.rate * options.seconds);
  const latencies = new Float64Array(total - warmup);
  let completed = 0;
  let non2xx = 0;
  let errors = 0;
  const withIds = (text: string) => (text.includes('{{uuid}}') ? text.replaceAll('{{uuid}}', () => randomUUID()) : text);

  const send = (due: number, template: PacedRequest, measured: boolean) => new Promise<void>((resolve) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(template.headers ?? {})) headers[name] = withIds(value);
    const body = template.body === undefined ? undefined : withIds(template.body);
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const request = http.request({ agent, host: target.hostname, port: target.port, method: template.method, path: template.path, headers }, (response) => {
      response.resume();
      response.once('end', () => {
        if (measured) {
          latencies[completed] = performance.now() - due;
          completed += 1;
        }
        if (response.statusCode === undefined || response.statusCode < 200 || response.statusCode >= 300) non2xx += 1;
        resolve();
      });
    });
    request.once('error', () => { errors += 1; resolve(); });
    request.end(body);
  });

  const started = await openLoop(options.rate, total, (i, due) => send(due, options.requests[i % options.requests.length]!, i >= warmup));
  const elapsed = (performance.now() - started) / 1000 - warmup / options.rate;
  agent.destroy();
  const sorted = latencies.slice(0, completed).sort();
  return {
    offered: total - warmup, completed, non2xx, errors, rps: completed / elapsed,
    p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

if (!isMainThread && (workerData as { pacedLoad?: PacedLoadOptions } | undefined)?.pacedLoad) {
  const result = await runLoad((workerData as { pacedLoad: PacedLoadOptions }).pacedLoad);
  parentPort!.postMessage(result);
}
