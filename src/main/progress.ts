/** The end-of-run summary on stderr: records and bytes per topic, failures, duration, rate. */
import type { Plan } from '../schema/plan.js';
import type { DeliveryReport } from '../sinks/sink.js';
import type { RunStats } from './run.js';

export function formatSummary(plan: Plan, stats: RunStats, report: DeliveryReport | undefined, target: string): string {
  const secs = stats.durationMs / 1000;
  const total = stats.records.reduce((a, b) => a + b, 0);
  const width = Math.max(5, ...plan.datasets.map((d) => d.topic.length));
  const lines = [`datagen: ${stats.iterations} iterations → ${target}`];
  plan.datasets.forEach((d, i) => {
    const delivered = report ? `  delivered ${report.delivered[i]}` : '';
    lines.push(`  ${d.topic.padEnd(width)}  ${String(stats.records[i]).padStart(10)} records  ${mb(stats.bytes[i]!)}${delivered}`);
  });
  if (report) {
    lines.push(`  failed: ${report.failed}`);
    for (const n of report.notes ?? []) lines.push(`  ${n}`);
  }
  lines.push(`  ${total} records in ${secs.toFixed(2)} s (${Math.round(total / Math.max(secs, 1e-9))} records/s)`);
  return lines.join('\n') + '\n';
}

function mb(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

/** How the command ended: its exit code, and the error it printed (null when it printed none). */
export interface Outcome {
  exitCode: number;
  error: string | null;
}

/**
 * The run as JSON for `--stats <file>` (CI jobs tracking throughput read this). For a run stopped
 * by an error, `stats` covers what was sent before it and `outcome` carries the error.
 */
export function statsJson(plan: Plan, stats: RunStats, report: DeliveryReport | undefined, target: string, outcome: Outcome): object {
  const usage = process.resourceUsage();
  const records = stats.records.reduce((a, b) => a + b, 0);
  const bytes = stats.bytes.reduce((a, b) => a + b, 0);
  const secs = stats.durationMs / 1000;
  return {
    ...outcome,
    target,
    iterations: stats.iterations,
    records,
    bytes,
    durationMs: Math.round(stats.durationMs),
    recordsPerSec: Math.round(records / Math.max(secs, 1e-9)),
    // The rate once running: start-up (process, workers, connections, schema registration) excluded.
    steadyRecordsPerSec:
      stats.firstBatchMs !== undefined && stats.durationMs - stats.firstBatchMs > 0
        ? Math.round((records - (stats.recordsAtFirstBatch ?? 0)) / ((stats.durationMs - stats.firstBatchMs) / 1000))
        : null,
    startupMs: stats.firstBatchMs === undefined ? null : Math.round(stats.firstBatchMs),
    mbPerSec: Number((bytes / 1e6 / Math.max(secs, 1e-9)).toFixed(2)),
    failed: report?.failed ?? 0,
    cpuUserMs: Math.round(usage.userCPUTime / 1000),
    cpuSystemMs: Math.round(usage.systemCPUTime / 1000),
    maxRssMB: Math.round(usage.maxRSS / 1024),
    topics: plan.datasets.map((d, i) => ({ topic: d.topic, records: stats.records[i], bytes: stats.bytes[i], delivered: report?.delivered[i] ?? null })),
    // [ms since start, records delivered] at least 250 ms apart: the pace over the run.
    timeline: stats.timeline,
  };
}
