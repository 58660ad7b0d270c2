/** Writes hand-built trees into a real SQLite search database (store/SearchStore); ids follow breadth-first expansion order. */
import { SearchStore } from '../../src/store/index.ts';
import type { StoredNode, StoredQuestion, StoredRun } from '../../src/store/types.ts';

export function writeStore(dbPath: string, run: StoredRun, questions: readonly StoredQuestion[]): void {
  const store = SearchStore.open(dbPath, { create: true });
  try {
    const row = store.createRun({
      config: run.config,
      configHash: run.configHash,
      task: run.task,
      separator: run.separator,
      dataFile: run.dataFile ?? 'fixture.jsonl',
    });
    const runId = row.run_id;
    store.addQuestions(
      runId,
      questions.map((q, idx) => ({
        questionId: q.questionId,
        idx,
        question: q.question,
        reference: q.reference,
        instruction: q.instruction,
      })),
    );
    for (const q of questions) {
      const toInput = (n: StoredNode, parentId: number | null) => ({
        runId,
        questionId: q.questionId,
        parentId,
        type: n.type,
        tag: n.tag,
        prefill: n.prefill,
        content: n.content,
        showInHistory: n.showInHistory,
        depth: n.depth,
        reward: n.reward,
        verdict: n.verdict,
        promptTokens: n.promptTokens,
        completionTokens: n.completionTokens,
        policy: n.policy,
      });
      const root = q.nodes.find((n) => n.parentId === null);
      if (!root) continue;
      // One expansion per parent (the store allows no second), breadth first.
      const queue: [StoredNode, number][] = [[root, store.insertRoot(toInput(root, null))]];
      while (queue.length > 0) {
        const [parent, parentId] = queue.shift()!;
        if (parent.annotation) store.setAnnotation(parentId, parent.annotation);
        const children = q.nodes.filter((n) => n.parentId === parent.id).sort((a, b) => a.id - b.id);
        if (children.length === 0) continue;
        const ids = store.commitExpansion(
          parentId,
          children.map((c) => toInput(c, parentId)),
        );
        children.forEach((c, i) => queue.push([c, ids[i]!]));
      }
    }
  } finally {
    store.close();
  }
}
