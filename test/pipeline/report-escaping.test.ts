/**
 * report.md shows names from the config, the data and model paths as text, never as markup (report.html
 * escapes them too): a pipeline named `<script>...` or a set named with `|` must not inject HTML, links
 * or table cells.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeMarkdown, renderReportMarkdown } from '../../src/pipeline/report.ts';
import type { RunSummary } from '../../src/pipeline/summary-types.ts';

test('escapeMarkdown: markup characters are escaped, ordinary text and hyphens stay', () => {
  assert.equal(escapeMarkdown('held-out words'), 'held-out words');
  assert.equal(escapeMarkdown('<script>alert(1)</script>'), '\\<script\\>alert(1)\\</script\\>');
  assert.equal(escapeMarkdown('[x](javascript:alert(1))'), '\\[x\\](javascript:alert(1))');
  assert.equal(escapeMarkdown('a|b `c` *d* _e_ ~f~ \\g'), 'a\\|b \\`c\\` \\*d\\* \\_e\\_ \\~f\\~ \\\\g');
  assert.equal(escapeMarkdown('x &amp; y\nz'), 'x &amp;amp; y z');
});

test('report.md writes the pipeline name, task, model path and set names escaped', () => {
  const summary = {
    name: '<script>alert("name")</script>',
    task: 'letter-count',
    config_hash: 'abcdef0123456789',
    written_at: '2026-12-06T00:00:00Z',
    stages: [{ stage: 'base', description: 'the <b>base</b> model', model: 'models/`x`|y.gguf', n: 1, sets: [] }],
    search: [],
    data: [],
    train: [],
    stage_wall_s: {},
  } as unknown as RunSummary;
  const md = renderReportMarkdown(summary);
  assert.ok(md.startsWith('# treecot run report: \\<script\\>alert("name")\\</script\\>\n'), md.split('\n')[0]);
  assert.ok(!/<script>|<b>/.test(md.replace(/\\</g, '')), 'no raw tag survives');
  assert.match(md, /the \\<b\\>base\\<\/b\\> model \(model: models\/\\`x\\`\\\|y\.gguf\)/);
});
