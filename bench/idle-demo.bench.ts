// idle_demo_cpu and idle_demo_rss_growth: the embedded demo as `npm start` runs it (every role, PGlite in a
// fresh DATA_DIR, the synthetic feed at its default 20 ticks/s, the demo desk's orders every 5 s), sampled
// from /proc every 10 s over N minutes after a warm-up: CPU as % of one core, resident memory and its
// growth. Baseline, in the same run and at the same time: a process that does only the floor of that job
// (the feed's ticks inserted as plain rows into PGlite, bench/idle-floor.ts), sampled the same way.
//
// `npm run bench -- idle-demo [minutes=10] [--warmup=60] [--short]`; --short is a 2-minute check after a
// 30 s warm-up. Prints a line per minute (progress), then the figures.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, sampleProcess, spawnLedger, waitReady, type ProcessSample } from './ledger-child.ts';
import { progress, report } from './report.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SAMPLE_EVERY_MS = 10_000;

interface Options { readonly minutes: number; readonly warmupSeconds: number }

function parse(args: string[]): Options {
  const short = args.includes('--short');
  const warmup = args.find((a) => a.startsWith('--warmup='));
  const minutes = Number(args.find((a) => /^\d+(\.\d+)?$/.test(a)) ?? (short ? 2 : 10));
  return { minutes, warmupSeconds: warmup ? Number(warmup.slice('--warmup='.length)) : short ? 30 : 60 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => bytes / 1_048_576;

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i += 1) { num += (xs[i]! - mx) * (ys[i]! - my); den += (xs[i]! - mx) ** 2; }
  return den === 0 ? 0 : num / den;
}

export async function run(args: string[]): Promise<void> {
  const options = parse(args);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nicegold-idle-demo-'));
  const ledger = spawnLedger(await freePort(), { DATA_DIR: path.join(dir, 'demo'), NODE_ENV: 'development' });
  const floor = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', path.join(here, 'idle-floor.ts'), path.join(dir, 'floor'), '20'], { stdio: 'ignore' });
  try {
    const readyMs = await waitReady(ledger, 900_000);
    progress(`idle-demo: the demo answered /readyz after ${(readyMs / 1000).toFixed(1)} s; warming up ${options.warmupSeconds} s`);
    await sleep(options.warmupSeconds * 1000);
    const first = { demo: sampleProcess(ledger.pid), floor: sampleProcess(floor.pid!), at: performance.now() };
    const samples: Array<{ t: number; demo: ProcessSample; floor: ProcessSample }> = [{ t: 0, demo: first.demo, floor: first.floor }];
    const end = first.at + options.minutes * 60_000;
    let lastMinute = first;
    while (performance.now() < end) {
      await sleep(Math.min(SAMPLE_EVERY_MS, Math.max(0, end - performance.now())));
      const at = performance.now();
      const sample = { t: (at - first.at) / 1000, demo: sampleProcess(ledger.pid), floor: sampleProcess(floor.pid!) };
      samples.push(sample);
      if (at - lastMinute.at >= 59_000 || at >= end) {
        const seconds = (at - lastMinute.at) / 1000;
        progress(`idle-demo: minute ${(sample.t / 60).toFixed(1)}: demo ${(100 * (sample.demo.cpuSeconds - lastMinute.demo.cpuSeconds) / seconds).toFixed(1)}% of a core, `
          + `RSS ${mb(sample.demo.rssBytes).toFixed(0)} MB; floor ${(100 * (sample.floor.cpuSeconds - lastMinute.floor.cpuSeconds) / seconds).toFixed(1)}%, RSS ${mb(sample.floor.rssBytes).toFixed(0)} MB`);
        lastMinute = { demo: sample.demo, floor: sample.floor, at };
      }
    }
    const last = samples[samples.length - 1]!;
    const seconds = last.t;
    const demoCpu = (100 * (last.demo.cpuSeconds - first.demo.cpuSeconds)) / seconds;
    const floorCpu = (100 * (last.floor.cpuSeconds - first.floor.cpuSeconds)) / seconds;
    const ts = samples.map((s) => s.t / 60);
    // RSS growth over the window as MB per hour, by least squares over every sample (one GC swing does not decide it).
    const demoGrowth = slope(ts, samples.map((s) => mb(s.demo.rssBytes))) * 60;
    const floorGrowth = slope(ts, samples.map((s) => mb(s.floor.rssBytes))) * 60;
    progress(`idle-demo: ${options.minutes} min sampled; demo RSS ${mb(first.demo.rssBytes).toFixed(0)} -> ${mb(last.demo.rssBytes).toFixed(0)} MB, floor ${mb(first.floor.rssBytes).toFixed(0)} -> ${mb(last.floor.rssBytes).toFixed(0)} MB`);
    report({ bench: 'idle-demo', figure: 'idle_demo_cpu', value: demoCpu, unit: '% of a core', baseline: floorCpu, target: '<= 10 % of a core' }, false);
    report({ bench: 'idle-demo', figure: 'idle_demo_rss', value: mb(last.demo.rssBytes), unit: 'MB', baseline: mb(last.floor.rssBytes) }, false);
    process.stdout.write(`${JSON.stringify({ bench: 'idle-demo', figure: 'idle_demo_rss_growth', value: Math.round(demoGrowth), unit: 'MB/h (least squares)', baseline: Math.round(floorGrowth), target: 'flat' })}\n`);
  } finally {
    ledger.kill('SIGINT');
    floor.kill('SIGTERM');
    await Promise.race([ledger.exited, sleep(20_000)]);
    ledger.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}
