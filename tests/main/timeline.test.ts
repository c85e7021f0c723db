import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Timeline, rateAfter } from '../../src/main/timeline.js';
import { example, runCli, tmpFile } from '../helpers.js';

test('the timeline keeps points at least a step apart, and stays bounded by thinning', () => {
  const t = new Timeline(250);
  t.note(100, 10);
  t.note(200, 20); // too soon after the first
  t.note(350, 30);
  assert.deepEqual(t.points, [
    [100, 10],
    [350, 30],
  ]);
  const long = new Timeline(1);
  for (let ms = 0; ms < 5000; ms++) long.note(ms, ms * 10);
  assert.ok(long.points.length <= Timeline.MAX_POINTS, `${long.points.length} points`);
  assert.ok(long.points.length >= Timeline.MAX_POINTS / 2, `${long.points.length} points`);
  assert.deepEqual(long.points[0], [0, 0], 'the first batch stays');
  // Evenly spread after thinning: every gap the same.
  const gaps = new Set(long.points.slice(1).map(([ms], i) => ms - long.points[i]![0]));
  assert.equal(gaps.size, 1, `gaps ${[...gaps].join(',')}`);
});

test('rateAfter leaves out the warm-up and counts to the end of the run', () => {
  // Slow for the first 2 s (100 records/s), then 1,000 records/s; the run ends at 6 s.
  const points: Array<[number, number]> = [];
  for (let ms = 500; ms <= 5500; ms += 250) points.push([ms, ms <= 2500 ? (ms - 500) / 10 : 200 + (ms - 2500)]);
  const end: [number, number] = [6000, 200 + 3500];
  assert.equal(rateAfter(points, 2000, end), 1000);
  assert.ok(rateAfter(points, 0, end)! < 1000, 'the warm-up, counted, lowers the rate');
  assert.equal(rateAfter(points, 5000, end), undefined, 'under a second left after the warm-up');
  assert.equal(rateAfter([], 0, end), undefined);
});

test('--stats writes the timeline of the run', () => {
  const stats = tmpFile('stats.json', '');
  const r = runCli(['-s', example('ecommerce/ecommerce.json'), '--dry-run', '-n', '20000', '--seed', '1', '--stats', stats]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(readFileSync(stats, 'utf8')) as { records: number; durationMs: number; startupMs: number; timeline: Array<[number, number]> };
  assert.ok(s.timeline.length >= 1);
  assert.equal(s.timeline[0]![0], s.startupMs, 'the first point is the first batch');
  for (let i = 1; i < s.timeline.length; i++) {
    assert.ok(s.timeline[i]![0] - s.timeline[i - 1]![0] >= 250, 'points at least 250 ms apart');
    assert.ok(s.timeline[i]![1] > s.timeline[i - 1]![1], 'records grow');
  }
  const [lastMs, lastRecords] = s.timeline[s.timeline.length - 1]!;
  assert.ok(lastMs <= s.durationMs && lastRecords <= s.records);
});
