/** `card.md`: a human-readable data card rendered from `stats.json` (no other input). */
import type { DatasetStats, LengthClassStats } from './dataset-stats.ts';
import type { HistogramBucket, NumberSummary } from './summaries.ts';

function summaryLine(s: NumberSummary): string {
  return s.count === 0
    ? 'none'
    : `n=${s.count}, min ${s.min}, p25 ${s.p25}, median ${s.median}, p75 ${s.p75}, max ${s.max}, mean ${s.mean}`;
}

function bars(buckets: readonly HistogramBucket[]): string {
  if (buckets.length === 0) return '    (none)\n';
  const top = Math.max(...buckets.map((b) => b.count));
  const width = Math.max(...buckets.map((b) => `${b.from}-${b.to}`.length));
  return buckets
    .map((b) => `    ${`${b.from}-${b.to}`.padStart(width)} | ${'#'.repeat(top ? Math.round((20 * b.count) / top) : 0)} ${b.count}\n`)
    .join('');
}

function lengthClass(name: string, s: LengthClassStats): string {
  return `**${name}**: ${summaryLine(s.summary)}\n\n${bars(s.histogram)}\n`;
}

function table(record: Record<string, number>): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return '(none)\n';
  return `| value | count |\n|---|---|\n${keys.map((k) => `| ${k} | ${record[k]} |`).join('\n')}\n`;
}

/** Render the data card. Units of every length are named (`stats.build.lengthUnit`). */
export function renderDatasetCard(stats: DatasetStats): string {
  const unit = stats.build.lengthUnit;
  const q = stats.questions;
  const p = stats.paths;
  return `# treecot data card

Built by \`treecot build\` from search run ${stats.search.runId} (task \`${stats.search.task}\`).

- search config hash: \`${stats.search.configHash}\`
- build config hash: \`${stats.build.configHash}\`
- build options: \`${JSON.stringify(stats.build.options)}\`
- lengths are in **${unit}**${q.unfinished > 0 ? `\n- **${q.unfinished} of ${q.total} questions had not finished their search** (interrupted or failed); their partial trees are included` : ''}

## Counts per split

| split | rows |
|---|---|
| sft | ${stats.splits.sft} |
| dpo | ${stats.splits.dpo} |

Questions: ${q.total} in the run, ${q.withScoredPaths} with scored paths, ${q.withCorrectPath} with a correct path,
${q.withIncorrectPath} with an incorrect path, ${q.withPairs} with DPO pairs; ${q.droppedNoCorrectPath} dropped for having no correct path.

Paths: ${p.total} root-to-answer paths (${p.correct} correct, ${p.incorrect} incorrect). Left out:
${p.droppedAnnotationRejected} through a node a person rejected, ${p.droppedProcessCheck} correct paths that failed the automatic process check, ${p.unscoredAnswers} unscored answers,
${p.droppedOverMaxLength} over the maximum length, ${p.duplicateCorrectResponses} duplicate correct responses;
${p.timeoutsNotRejected} wrong-scored paths with a verifier timeout were not used as DPO rejected.

Verdicts of all paths:

${table(p.byVerdict)}
## Thoughts length balance (METHOD.md section 2)

Correct paths ranked by length within their question and split into thirds of the rank range.

${lengthClass('short', stats.lengthByBin.short)}${lengthClass('medium', stats.lengthByBin.medium)}${lengthClass('long', stats.lengthByBin.long)}
SFT rows per length class: short ${stats.sft.byLengthBin.short}, medium ${stats.sft.byLengthBin.medium}, long ${stats.sft.byLengthBin.long}.
DPO chosen per length class: short ${stats.dpo.chosenByLengthBin.short}, medium ${stats.dpo.chosenByLengthBin.medium}, long ${stats.dpo.chosenByLengthBin.long}.

SFT completion length (${unit}): ${summaryLine(stats.sft.length)}

## Reflection markers

SFT rows with at least one reflection: ${stats.sft.reflection.rowsWithReflection} of ${stats.sft.rows}.
SFT rows with a corrected reflection (a wrong attempt, a reflection, a correct re-think that passed the build's checks): ${stats.sft.reflection.rowsWithCorrectedReflection} of ${stats.sft.rows} (${(100 * stats.sft.reflection.correctedShare).toFixed(1)}%).
Reflection nodes per SFT row: ${summaryLine(stats.sft.reflection.summary)}
Reflective phrases per SFT row (\`<reflection>\`, "wait", "something is wrong", ...): ${summaryLine(stats.sft.reflection.markers)}

DPO pairs whose chosen has a reflection: ${stats.dpo.reflection.chosenWithReflection}; whose rejected has one: ${stats.dpo.reflection.rejectedWithReflection}.
DPO chosen paths with a corrected reflection: ${stats.dpo.reflection.chosenWithCorrectedReflection} of ${stats.dpo.pairs} (${(100 * stats.dpo.reflection.chosenCorrectedShare).toFixed(1)}%).
Reflective phrases: chosen ${summaryLine(stats.dpo.reflection.chosenMarkers)}; rejected ${summaryLine(stats.dpo.reflection.rejectedMarkers)}.

## DPO common prefix (METHOD.md section 3)

Common prefix of chosen and rejected, characters: ${summaryLine(stats.dpo.commonPrefixChars.summary)}

${bars(stats.dpo.commonPrefixChars.histogram)}
${stats.dpo.commonPrefixTokens ? `Common prefix, tokens: ${summaryLine(stats.dpo.commonPrefixTokens)}\n\n` : ''}Shared whole thoughts, characters (moved into the prompt by the prefix-in-prompt export): ${summaryLine(stats.dpo.sharedThoughtsChars)}

Prefix share of the chosen response: ${summaryLine(stats.dpo.prefixShareOfChosen)}

Shared tree nodes below the root:

${table(stats.dpo.sharedNodes)}
Rejected verdicts:

${table(stats.dpo.rejectedByVerdict)}
## Search tokens per kept row

The whole search spent ${stats.tokens.searchTotal} prompt + completion tokens (store usage columns).
Per SFT row: ${stats.tokens.perSftRow ?? 'n/a'}; per DPO pair: ${stats.tokens.perDpoPair ?? 'n/a'}; per kept row: ${stats.tokens.perKeptRow ?? 'n/a'}.
Tokens on the row's own path(s): SFT ${summaryLine(stats.sft.pathTokens)}; DPO ${summaryLine(stats.dpo.pathTokens)}.
`;
}
