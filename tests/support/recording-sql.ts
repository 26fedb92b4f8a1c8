// A real SQL client that also keeps the text and parameters of every statement sent through `query`:
// what tests count or explain (a statement's plan, how many a round sends). Everything runs unchanged.
import type { SqlClient } from '../../infra/sql/client.ts';

export interface SentStatement { readonly text: string; readonly params: readonly unknown[] }

export function recordingSql(sql: SqlClient, into: SentStatement[]): SqlClient {
  return new Proxy(sql, {
    get(target, key, receiver) {
      if (key === 'query') return (text: string, params: readonly unknown[] = []) => { into.push({ text, params }); return target.query(text, params); };
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
