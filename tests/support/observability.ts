// What the deployment's dashboards and alert rules ask of the ledger, read from deploy/: every PromQL
// expression (dashboards and alert rules), every SQL query (dashboard panels and variables), and the
// metric names an expression names. Grafana's SQL macros are expanded here the way Grafana expands
// them for PostgreSQL, so a test can run a panel's query against a real database.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const DEPLOY = path.resolve(import.meta.dirname, '../../deploy');
export const DASHBOARDS_DIR = path.join(DEPLOY, 'grafana/dashboards');
export const ALERTS_FILE = path.join(DEPLOY, 'prometheus/alerts.yml');

export interface Target { readonly refId: string; readonly datasource: { readonly type: string; readonly uid: string }; readonly expr?: string; readonly rawSql?: string; readonly format?: string }
export interface Panel { readonly id: number; readonly type: string; readonly title: string; readonly datasource?: { readonly uid: string }; readonly targets?: readonly Target[] }
export interface TemplateVariable { readonly name: string; readonly type: string; readonly query?: string; readonly datasource?: { readonly uid: string } }
export interface Dashboard { readonly uid: string; readonly title: string; readonly panels: readonly Panel[]; readonly templating: { readonly list: readonly TemplateVariable[] } }

export function loadDashboards(): ReadonlyMap<string, Dashboard> {
  const files = readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json')).sort();
  return new Map(files.map((f) => [f, JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, f), 'utf8')) as Dashboard]));
}

export interface Query { readonly where: string; readonly text: string }

export const PROMETHEUS_UID = 'nicegold-prometheus';
export const READ_MODELS_UID = 'nicegold-read-models';

/** Every PromQL expression of the dashboards, named `file / panel title / refId`. */
export function dashboardPromQueries(): Query[] {
  return [...loadDashboards()].flatMap(([file, d]) => d.panels.flatMap((p) => (p.targets ?? [])
    .filter((t) => t.datasource.uid === PROMETHEUS_UID)
    .map((t) => ({ where: `${file} / ${p.title} / ${t.refId}`, text: t.expr ?? '' }))));
}

/** Every SQL query of the dashboards: panel targets and query variables. */
export function dashboardSqlQueries(): Query[] {
  return [...loadDashboards()].flatMap(([file, d]) => [
    ...d.panels.flatMap((p) => (p.targets ?? [])
      .filter((t) => t.datasource.uid === READ_MODELS_UID)
      .map((t) => ({ where: `${file} / ${p.title} / ${t.refId}`, text: t.rawSql ?? '' }))),
    ...d.templating.list.filter((v) => v.type === 'query' && v.datasource?.uid === READ_MODELS_UID)
      .map((v) => ({ where: `${file} / variable ${v.name}`, text: v.query ?? '' })),
  ]);
}

interface RuleFile { readonly groups: ReadonlyArray<{ readonly rules: ReadonlyArray<{ readonly alert?: string; readonly expr: string }> }> }

export function alertRules(): Query[] {
  const file = parse(readFileSync(ALERTS_FILE, 'utf8')) as RuleFile;
  return file.groups.flatMap((g) => g.rules.map((r) => ({ where: r.alert ?? 'recording rule', text: r.expr })));
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);

/** The metric names a PromQL expression selects (functions, keywords, labels, strings and durations left out). */
export function metricNames(expr: string): Set<string> {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w.$])([a-zA-Z_:][\w:]*)\b(?!\s*\()/g)) {
    if (!KEYWORDS.has(match[1]!.toLowerCase())) names.add(match[1]!);
  }
  return names;
}

/** Sample names in a Prometheus text exposition (`name{labels} value`), HELP and TYPE lines left out. */
export function exportedSamples(exposition: string): Set<string> {
  return new Set(exposition.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => /^[a-zA-Z_:][\w:]*/.exec(l)?.[0] ?? ''));
}

export interface SqlContext { readonly from: Date; readonly to: Date; readonly intervalSeconds: number; readonly variables: Readonly<Record<string, readonly string[]>> }

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** A panel's SQL as Grafana's PostgreSQL datasource sends it: macros expanded, variables interpolated. */
export function grafanaSql(sql: string, context: SqlContext): string {
  const from = quote(context.from.toISOString());
  const to = quote(context.to.toISOString());
  let text = sql
    .replace(/\$__timeFilter\(([^)]+)\)/g, (_m, column: string) => `${column.trim()} BETWEEN ${from} AND ${to}`)
    .replace(/\$__timeFrom\(\)/g, from)
    .replace(/\$__timeTo\(\)/g, to)
    .replace(/\$__timeGroupAlias\(([^,]+),\s*\$__interval\)/g, (_m, column: string) =>
      `floor(extract(epoch from ${column.trim()})/${context.intervalSeconds})*${context.intervalSeconds} AS "time"`);
  for (const [name, values] of Object.entries(context.variables)) text = text.replace(new RegExp(`\\$${name}\\b`, 'g'), values.map(quote).join(','));
  const left = /\$[\w{]+/.exec(text);
  if (left) throw new Error(`unexpanded Grafana macro or variable ${left[0]} in: ${sql}`);
  return text;
}
