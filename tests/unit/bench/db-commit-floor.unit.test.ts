import { describe, expect, it } from 'vitest';
import { latenciesFromLog } from '../../../bench/db-commit-floor.ts';

describe('pgbench per-transaction log', () => {
  it('reads each transaction\'s time (µs, third column) as milliseconds, in ascending order', () => {
    // client_id transaction_no time script_no time_epoch time_us schedule_lag (with -R)
    const log = ['0 0 1532 0 1796457108 450120 88', '3 0 25210 0 1796457108 451003 20100', '', '1 0 812 0 1796457108 452010 5', ''].join('\n');
    expect([...latenciesFromLog(log)]).toEqual([0.812, 1.532, 25.21]);
  });

  it('skips lines that are not transactions', () => {
    expect([...latenciesFromLog('garbage\n\n2 7 1000 0 1 2')]).toEqual([1]);
  });
});
