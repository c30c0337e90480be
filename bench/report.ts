// Writing the results: `<out>/<YYYY-MM-DD>.md` for people (machine, commands, one table per scenario
// with median and min–max, Gatehouse's ratios) and `<out>/latest.json` for tools. Rendering is pure;
// only writeResults touches the disk.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineInfo } from './machine.js';
import type { ScenarioResult } from './rounds.js';
import type { Spread } from './stats.js';

export interface BenchReport {
  date: string;
  quick: boolean;
  machine: MachineInfo;
  cpus: { proxy: number[]; load: number[] };
  settings: Record<string, string | number>;
  /** How the backend was started, and anything that applies to every scenario. */
  commands: string[];
  notes: string[];
  scenarios: ScenarioResult[];
}

export function formatNumber(value: number, digits: number): string {
  if (value === Number.POSITIVE_INFINITY) return '∞';
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `42,020 (41,800–42,310)`, or just the median when min and max print alike. */
export function formatSpread(spread: Spread | undefined, digits: number): string {
  if (!spread) return '–';
  const [median, min, max] = [spread.median, spread.min, spread.max].map((v) => formatNumber(v, digits));
  return min === max ? median! : `${median} (${min}–${max})`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderScenario(s: ScenarioResult): string {
  const parts = [`## ${s.title}`, '', s.description, ''];
  if (s.rows.length === 0) {
    parts.push('No proxy could run this scenario.', '');
  } else {
    const header = ['proxy', ...s.metrics.map((m) => m.label)];
    const rows = s.rows.map((r) => [
      r.target,
      ...s.metrics.map((m) => formatSpread(r.figures[m.key], m.digits)),
    ]);
    parts.push(table(header, rows), '');
  }
  const others = Object.keys(s.ratios);
  if (others.length > 0) {
    const header = ['Gatehouse ÷', ...s.metrics.map((m) => m.label)];
    const rows = others.map((o) => [
      o,
      ...s.metrics.map((m) => formatNumber(s.ratios[o]?.[m.key] ?? NaN, 2)),
    ]);
    parts.push(table(header, rows), '');
  }
  for (const note of s.notes) parts.push(`- ${note}`);
  if (s.notes.length > 0) parts.push('');
  parts.push('Commands:', '', '```sh', ...s.commands, '```', '');
  return parts.join('\n');
}

export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `# Gatehouse benchmark, ${report.date}${report.quick ? ' (quick run: indicative only)' : ''}`,
    '',
    'Medians over interleaved rounds, with min–max in parentheses. Ratios are Gatehouse’s median divided by the other’s',
    '(above 1 is more for Gatehouse: better for rps and req per CPU-s, worse for latency, errors and memory).',
    '',
    '## Machine',
    '',
    `- CPU: ${m.cpuModel}, ${m.cores} cores; proxies on CPU ${report.cpus.proxy.join(',')}, load generator and backend on CPU ${report.cpus.load.join(',')}`,
    `- Kernel ${m.kernel}; Node ${m.node}`,
    `- ${m.haproxy}`,
    `- ${m.nginx}`,
    `- ${m.wrk}`,
    `- ${m.gcc}`,
    '',
    '## Settings',
    '',
    ...Object.entries(report.settings).map(([k, v]) => `- ${k}: ${v}`),
    ...report.notes.map((n) => `- ${n}`),
    '',
    '```sh',
    ...report.commands,
    '```',
    '',
    ...report.scenarios.map(renderScenario),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The machine-readable form: per scenario, each proxy's medians (with min/max/samples) and the ratios. */
export function toJson(report: BenchReport): string {
  const scenarios = Object.fromEntries(
    report.scenarios.map((s) => [
      s.id,
      {
        title: s.title,
        proxies: Object.fromEntries(s.rows.map((r) => [r.target, r.figures])),
        gatehouseRatio: s.ratios,
        notes: s.notes,
        commands: s.commands,
      },
    ]),
  );
  const { scenarios: _omit, ...rest } = report;
  // JSON has no Infinity (a request that never completed); write it as the string "Infinity"
  const infinity = (_key: string, value: unknown) =>
    value === Number.POSITIVE_INFINITY ? 'Infinity' : value;
  return `${JSON.stringify({ ...rest, scenarios }, infinity, 2)}\n`;
}

export function writeResults(report: BenchReport, outDir: string): { markdown: string; json: string } {
  mkdirSync(outDir, { recursive: true });
  const markdown = join(outDir, `${report.date}.md`);
  const json = join(outDir, 'latest.json');
  writeFileSync(markdown, renderMarkdown(report));
  writeFileSync(json, toJson(report));
  return { markdown, json };
}
