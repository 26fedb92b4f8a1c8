// `nicegold import ticks <file> --format mt5|dukascopy|csv --symbol XAUUSD [--source name] [--rejects file]`:
// streams a tick file into the configured event store. Progress goes to stderr, the summary to stdout.
// A file of the wrong shape (a CSV header naming no known column set) is refused before the event store
// is opened: exit 1, nothing written.
import type { WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { ValidationError } from '../../../domain/shared/errors.ts';
import { IMPORT_FORMATS, isImportFormat } from '../../../commands/market-data/importers/formats.ts';
import {
  checkImportFile, ImportInterrupted, importTicks, type ImportProgress, type ImportSummary, type RejectedLine,
} from '../../../commands/market-data/importers/import-ticks.ts';
import { openMarketData } from '../../../commands/market-data/market-data.ts';
import { loadConfig } from '../../config/config.ts';
import { createLogger } from '../../logging/logger.ts';
import { openBackends } from '../../runtime/backends.ts';
import { flag, parseArgs, requireFlag } from '../args.ts';
import type { CliCommand } from '../commands.ts';

const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
const USAGE = `usage: nicegold import ticks <file> --format ${IMPORT_FORMATS.join('|')} --symbol XAUUSD [--source name] [--rejects file]`;
const rejectionLine = (r: RejectedLine) => `line ${r.line}: ${r.reason} ${r.detail}${r.recordedBefore ? ' (recorded by the interrupted run)' : ''}`;

function progressLine(p: ImportProgress): string {
  const share = p.totalBytes === 0 ? 1 : p.bytesDone / p.totalBytes;
  const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
  const eta = p.etaSeconds === undefined ? '?' : `${Math.ceil(p.etaSeconds)}s`;
  return `\r[${bar}] ${(share * 100).toFixed(1)}%  ${mb(p.bytesDone)}/${mb(p.totalBytes)} MB  ${Math.round(p.ticksPerSecond)} ticks/s  ETA ${eta}   `;
}

function summaryText(summary: ImportSummary, rejectsFile: string | undefined): string {
  const rejected = Object.entries(summary.rejected).sort(([, a], [, b]) => b - a);
  const total = rejected.reduce((sum, [, n]) => sum + n, 0);
  const lines = [
    ...(summary.interrupted ? [`STOPPED:     lines after ${summary.interrupted.afterLine} not recorded (${summary.interrupted.error}); run the same command again to resume after line ${summary.interrupted.afterLine}`] : []),
    `source:      ${summary.source}`,
    `lines read:  ${summary.lines} in ${summary.seconds.toFixed(1)} s${summary.resumedAfterLine > 0 ? ` (resumed after line ${summary.resumedAfterLine}, where an interrupted import of this file stopped)` : ''}`,
    `accepted:    ${summary.accepted} (new ticks recorded)`,
    `duplicate:   ${summary.duplicate} (recorded before, from this file or another: nothing written${summary.rejectedLines.some((r) => r.recordedBefore) ? '; those the interrupted run recorded as rejected are listed below' : ''})`,
    `rejected:    ${total} (new, recorded as rejected)`,
    ...rejected.map(([reason, n]) => `  ${reason.padEnd(22)} ${n}`),
  ];
  if (summary.rejectedLines.length > 0) lines.push('rejected lines:', ...summary.rejectedLines.map((r) => `  ${rejectionLine(r)}`));
  if (summary.unlistedRejected > 0) {
    lines.push(`  ... and ${summary.unlistedRejected} more not listed here${rejectsFile ? '' : ' (--rejects <file> writes every one)'}`);
  }
  if (rejectsFile && total > 0) lines.push(`every rejected line: ${rejectsFile}`);
  return `${lines.join('\n')}\n`;
}

export const command: CliCommand = {
  name: 'import',
  summary: `${USAGE.replace('usage: nicegold import ', 'import ')}: stream a tick file into the event store`,
  async run(args) {
    const parsed = parseArgs(args);
    const [what, file] = parsed.positional;
    if (what !== 'ticks' || file === undefined) throw new ValidationError('CLI.USAGE', USAGE);
    const format = requireFlag(parsed, 'format', IMPORT_FORMATS.join(', '));
    if (!isImportFormat(format)) throw new ValidationError('CLI.INVALID_FLAG', `--format must be one of ${IMPORT_FORMATS.join(', ')}`);
    const symbol = requireFlag(parsed, 'symbol', 'the instrument, e.g. XAUUSD');
    await checkImportFile(file, format);
    const rejectsFile = flag(parsed, 'rejects');
    const config = loadConfig();
    const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
    const backends = await openBackends(config, logger);
    try {
      const { ingester, instruments } = await openMarketData({ eventStore: backends.eventStore, keyValue: backends.keyValue, marketHours: config.marketHours, writer: 'import' });
      if (!instruments.spec(symbol)) throw new ValidationError('CLI.UNKNOWN_SYMBOL', `${symbol} is not listed; listed: ${instruments.symbols().join(', ')}`);
      const rejects: WriteStream | undefined = rejectsFile ? (await open(rejectsFile, 'w')).createWriteStream() : undefined;
      let summary: ImportSummary;
      try {
        summary = await importTicks({
          file, format, symbol, source: flag(parsed, 'source'), ingester, checkpoints: backends.checkpoints,
          onProgress: (p) => process.stderr.write(progressLine(p)),
          onRejected: rejects ? (r) => rejects.write(`${rejectionLine(r)}\n`) : undefined,
        });
      } catch (error) {
        // What was recorded before the failure, every rejected line of it, then the error (exit 1).
        if (error instanceof ImportInterrupted) process.stdout.write(`\n${summaryText(error.summary, rejectsFile)}`);
        throw error;
      } finally {
        rejects?.end();
        if (rejects) await finished(rejects);
      }
      process.stderr.write('\n');
      process.stdout.write(summaryText(summary, rejectsFile));
      return 0;
    } finally {
      await backends.close();
    }
  },
};
