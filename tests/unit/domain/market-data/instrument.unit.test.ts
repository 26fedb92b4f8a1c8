import { describe, expect, it } from 'vitest';
import {
  XAGUSD_SPEC,
  XAUUSD_SPEC,
  instrumentDecider,
  instrumentStreamId,
  type InstrumentCommand,
  type InstrumentEvent,
  type InstrumentSpecChanges,
} from '../../../../domain/market-data/index.ts';
import type { CommandMetadata } from '../../../../domain/shared/decider.ts';
import type { EventData } from '../../../../domain/ports/event-store.ts';
import { deciderSpec } from './decider-spec.ts';

const metadata: CommandMetadata = {
  commandId: 'cmd-1',
  now: new Date('2026-11-23T10:00:00Z'),
  actor: { userId: 'risk-ana', role: 'risk_officer' },
};
const spec = deciderSpec(instrumentDecider);
const listed = (s = XAUUSD_SPEC): InstrumentEvent => ({ type: 'InstrumentListed', data: { spec: s } });
const list = (s = XAUUSD_SPEC): InstrumentCommand => ({ type: 'ListInstrument', data: { spec: s }, metadata });
const change = (changes: InstrumentSpecChanges, reason?: string, symbol = 'XAUUSD'): InstrumentCommand => ({
  type: 'ChangeInstrumentSpec',
  data: reason === undefined ? { symbol, changes } : { symbol, changes, reason },
  metadata,
});

describe('instrument: listing', () => {
  it('records XAUUSD with its full spec', () => {
    spec.given([]).when(list()).then([listed()]);
  });

  it('records XAGUSD as a second instrument on its own grid', () => {
    spec.given([]).when(list(XAGUSD_SPEC)).then([listed(XAGUSD_SPEC)]);
  });

  it('refuses listing the same instrument twice', () => {
    spec.given([listed()]).when(list()).thenRefused('INSTRUMENT.ALREADY_LISTED', 'domain');
  });

  it('refuses an invalid spec with its field code and records nothing', () => {
    spec.given([]).when(list({ ...XAUUSD_SPEC, minOrderQty: 0n })).thenRefused('INSTRUMENT.ORDER_QTY_INVALID', 'validation');
    spec.given([]).when(list({ ...XAUUSD_SPEC, symbol: 'xau-usd' })).thenRefused('INSTRUMENT.SYMBOL_INVALID', 'validation');
  });

  it('names its stream after the symbol', () => {
    expect(instrumentStreamId('XAUUSD')).toBe('instrument-XAUUSD');
  });

  it('produces event data the event store can hold as JSON with bigints', () => {
    const [event] = instrumentDecider.decide(list(), instrumentDecider.initialState());
    const data: EventData = event!.data;
    expect(data).toMatchObject({ spec: { contractSize: 100n, maxSpread: 100n } });
  });
});

describe('instrument: spec changes', () => {
  it('records each changed field with its old and new value, and the reason', () => {
    spec
      .given([listed()])
      .when(change({ maxSpread: 150n, spikeBoundBps: 80 }, '  NFP week: wider spreads expected '))
      .then([
        {
          type: 'InstrumentSpecChanged',
          data: {
            symbol: 'XAUUSD',
            changes: [
              { field: 'maxSpread', from: 100n, to: 150n },
              { field: 'spikeBoundBps', from: 50, to: 80 },
            ],
            reason: 'NFP week: wider spreads expected',
          },
        },
      ]);
  });

  it('records only the fields whose value actually changes', () => {
    spec
      .given([listed()])
      .when(change({ maxSpread: 100n, maxOrderQty: 8_000n }))
      .then([{ type: 'InstrumentSpecChanged', data: { symbol: 'XAUUSD', changes: [{ field: 'maxOrderQty', from: 5_000n, to: 8_000n }] } }]);
  });

  it('records nothing when the requested spec is the current one, trading hours compared by value', () => {
    const sameHours = { ...XAUUSD_SPEC.tradingSession, dailyBreaks: [{ startMinute: 1320, endMinute: 1380 }] };
    spec.given([listed()]).when(change({ description: XAUUSD_SPEC.description, tradingSession: sameHours })).then([]);
  });

  it('records new trading hours, e.g. the US summer-time shift one hour earlier', () => {
    const summer = { weeklyOpenMinute: 22 * 60, weeklyCloseMinute: 5 * 1440 + 21 * 60, dailyBreaks: [{ startMinute: 1260, endMinute: 1320 }] };
    spec
      .given([listed()])
      .when(change({ tradingSession: summer }))
      .then([
        {
          type: 'InstrumentSpecChanged',
          data: { symbol: 'XAUUSD', changes: [{ field: 'tradingSession', from: XAUUSD_SPEC.tradingSession, to: summer }] },
        },
      ]);
  });

  it('folds changes into the state, so the next change starts from the previous one', () => {
    spec
      .given([listed(), { type: 'InstrumentSpecChanged', data: { symbol: 'XAUUSD', changes: [{ field: 'maxSpread', from: 100n, to: 150n }] } }])
      .when(change({ maxSpread: 120n }))
      .then([{ type: 'InstrumentSpecChanged', data: { symbol: 'XAUUSD', changes: [{ field: 'maxSpread', from: 150n, to: 120n }] } }]);
  });

  it('refuses changing an instrument that was never listed', () => {
    spec.given([]).when(change({ maxSpread: 150n })).thenRefused('INSTRUMENT.NOT_LISTED', 'domain');
  });

  it('refuses a command addressed to another symbol', () => {
    spec.given([listed()]).when(change({ maxSpread: 150n }, undefined, 'XAGUSD')).thenRefused('INSTRUMENT.SYMBOL_MISMATCH', 'domain');
  });

  it('refuses changing the units every recorded price and quantity depends on', () => {
    for (const fixed of [{ priceScale: 3 }, { contractSize: 10n }, { qtyScale: 1 }, { quoteCurrency: 'EUR' }, { symbol: 'GOLD' }]) {
      spec
        .given([listed()])
        .when(change(fixed as InstrumentSpecChanges))
        .thenRefused('INSTRUMENT.FIELD_FIXED', 'domain');
    }
  });

  it('refuses unknown fields', () => {
    spec
      .given([listed()])
      .when(change({ leverage: 100 } as InstrumentSpecChanges))
      .thenRefused('INSTRUMENT.UNKNOWN_FIELD', 'validation');
  });

  it('refuses a change that would leave the spec invalid', () => {
    spec.given([listed()]).when(change({ maxOrderQty: 0n })).thenRefused('INSTRUMENT.ORDER_QTY_INVALID', 'validation');
    spec
      .given([listed()])
      .when(change({ tradingSession: { weeklyOpenMinute: 60, weeklyCloseMinute: 60, dailyBreaks: [] } }))
      .thenRefused('INSTRUMENT.SESSION_INVALID', 'validation');
  });
});
