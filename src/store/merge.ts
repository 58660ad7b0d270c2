/**
 * `treecot merge`: join the databases of several `--shard i/n` runs into one.
 *
 * All inputs (and the output, if it already holds a run) must hold the same config hash
 * and task. A question found in several files keeps the copy with the most progress
 * (a finished status first, then the most rollouts); ties keep the first file's copy.
 * Node ids are renumbered in the output (creation order per question is kept, parents and
 * rollout paths are remapped). The whole merge is one transaction on the output.
 */
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { StoreError } from '../core/errors.ts';
import { asStoreError } from './sqlite-error.ts';
import { SearchStore, runFromRow, type QuestionRow, type RunRow } from './search-store.ts';
import { isSearchDone } from './status.ts';

export interface MergeResult {
  questions: number;
  nodes: number;
  rollouts: number;
  /** Questions found in more than one file, the output included (the better copy kept). */
  duplicates: number;
  /** Questions whose copy already in the output was kept (nothing copied for them). */
  keptFromOutput: number;
}

function progress(q: QuestionRow): number {
  return (isSearchDone(q.status) ? 1e12 : 0) + q.rollouts;
}

/**
 * @throws StoreError when an input is missing, of another schema, has no run, or its
 *   config/task differ from the others.
 */
export function mergeStores(outFile: string, inputFiles: readonly string[]): MergeResult {
  if (inputFiles.length === 0) throw new StoreError(outFile, 'merge needs at least one input database');
  if (inputFiles.some((file) => resolve(file) === resolve(outFile)))
    throw new StoreError(outFile, 'is also an input; merge into a new file');
  const inputs: SearchStore[] = [];
  const outExisted = existsSync(outFile);
  let out: SearchStore | undefined;
  try {
    for (const file of inputFiles) inputs.push(SearchStore.open(file, { readonly: true }));
    // Every input is checked before the output is opened, so a refused merge creates no file.
    const runs: RunRow[] = inputs.map((store) => {
      const run = store.latestRun();
      if (!run) throw new StoreError(store.file, 'holds no search run');
      return run;
    });
    const first = runs[0]!;
    for (let i = 1; i < runs.length; i++) {
      if (runs[i]!.config_hash !== first.config_hash || runs[i]!.task !== first.task) {
        throw new StoreError(
          inputs[i]!.file,
          `its run (task ${runs[i]!.task}, config ${runs[i]!.config_hash.slice(0, 12)}) differs from ${inputs[0]!.file} (task ${first.task}, config ${first.config_hash.slice(0, 12)}); only shards of one search can be merged`,
        );
      }
    }
    const target = SearchStore.open(outFile, { create: true });
    out = target;
    let outRun = target.latestRun();
    if (outRun && (outRun.config_hash !== first.config_hash || outRun.task !== first.task)) {
      throw new StoreError(outFile, 'already holds a run with another config or task; merge into a new file');
    }
    const result: MergeResult = { questions: 0, nodes: 0, rollouts: 0, duplicates: 0, keptFromOutput: 0 };
    target.db.transaction(() => {
      if (!outRun) {
        const created = target.createRun({
          config: runFromRow(first).config,
          configHash: first.config_hash,
          task: first.task,
          separator: first.separator,
          dataFile: first.data_file,
        });
        outRun = created;
      }
      const runId = outRun.run_id;
      // Best copy per question across the output and the inputs.
      const best = new Map<string, { source: number; row: QuestionRow }>(); // source -1 = output
      for (const q of target.questions(runId)) best.set(q.question_id, { source: -1, row: q });
      // A question already in the output counts as being in several files too.
      const seen = new Set<string>(best.keys());
      inputs.forEach((store, source) => {
        for (const q of store.questions(runs[source]!.run_id)) {
          if (seen.has(q.question_id)) result.duplicates++;
          seen.add(q.question_id);
          const current = best.get(q.question_id);
          if (!current || progress(q) > progress(current.row)) best.set(q.question_id, { source, row: q });
        }
      });
      const del = [
        target.db.prepare('DELETE FROM rollouts WHERE run_id = ? AND question_id = ?'),
        target.db.prepare('DELETE FROM nodes WHERE run_id = ? AND question_id = ?'),
        target.db.prepare('DELETE FROM questions WHERE run_id = ? AND question_id = ?'),
      ];
      const insertQuestion = target.db.prepare(
        `INSERT INTO questions (run_id, question_id, idx, question, reference, instruction, status, rollouts, correct_rollouts, error, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const insertNode = target.db.prepare(
        `INSERT INTO nodes (run_id, question_id, parent_id, type, tag, prefill, content, show_in_history, visits, reward_sum, depth,
           reward, verdict, verdict_reason, copies, prompt_tokens, completion_tokens, finish_reason, policy, expanded, created_at, annotation)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const insertRollout = target.db.prepare(
        'INSERT INTO rollouts (run_id, question_id, idx, leaf_id, path, reward, verdict, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      const ordered = [...best.values()].sort((a, b) => a.row.idx - b.row.idx || a.row.question_id.localeCompare(b.row.question_id));
      for (const { source, row: q } of ordered) {
        result.questions++;
        if (source === -1) {
          result.keptFromOutput++;
          continue;
        }
        const store = inputs[source]!;
        const srcRun = runs[source]!.run_id;
        for (const statement of del) statement.run(runId, q.question_id);
        insertQuestion.run(
          runId,
          q.question_id,
          q.idx,
          q.question,
          q.reference,
          q.instruction,
          q.status,
          q.rollouts,
          q.correct_rollouts,
          q.error,
          q.updated_at,
        );
        const idMap = new Map<number, number>();
        for (const n of store.nodes(srcRun, q.question_id)) {
          const parent = n.parent_id === null ? null : idMap.get(n.parent_id);
          if (parent === undefined)
            throw new StoreError(store.file, `node ${n.id} has parent ${n.parent_id}, which is not an earlier node of its question`);
          const info = insertNode.run(
            runId,
            q.question_id,
            parent,
            n.type,
            n.tag,
            n.prefill,
            n.content,
            n.show_in_history,
            n.visits,
            n.reward_sum,
            n.depth,
            n.reward,
            n.verdict,
            n.verdict_reason,
            n.copies,
            n.prompt_tokens,
            n.completion_tokens,
            n.finish_reason,
            n.policy,
            n.expanded,
            n.created_at,
            n.annotation,
          );
          idMap.set(n.id, Number(info.lastInsertRowid));
          result.nodes++;
        }
        for (const r of store.rollouts(srcRun, q.question_id)) {
          const path = (JSON.parse(r.path) as number[]).map((id) => idMap.get(id)!);
          insertRollout.run(runId, q.question_id, r.idx, idMap.get(r.leaf_id)!, JSON.stringify(path), r.reward, r.verdict, r.created_at);
          result.rollouts++;
        }
      }
    })();
    return result;
  } catch (error) {
    out?.close();
    out = undefined;
    // A merge that failed into a new file leaves no file behind (not an empty database).
    if (!outExisted) for (const suffix of ['', '-wal', '-shm', '.lock', '.lock.json']) rmSync(`${outFile}${suffix}`, { force: true });
    throw asStoreError(outFile, error);
  } finally {
    for (const store of inputs) store.close();
    out?.close();
  }
}
