/**
 * The tag probe of MCTS decode on the real built-in model through node-llama-cpp: the model's own
 * greedy response must pass it (each probe, after a whole thought, opens the tag the greedy response
 * opens next), and a path whose tags it would not write must not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onPolicyChecker, splitPath } from '../../src/eval/index.ts';
import { createLlamaCppPolicy } from '../../src/policy/index.ts';
import { BUILTIN_MODEL_PATH } from '../../src/train/builtin/index.ts';
import type { Problem } from '../../src/tasks/index.ts';

const TAGS = ['sub-task', 'thinking', 'double-check', 'answer', 'reflection'];

test('tag probe on models/builtin.gguf: the greedy response is on-policy; a path ending its thoughts early is not', async () => {
  const policy = await createLlamaCppPolicy({ modelPath: BUILTIN_MODEL_PATH, threads: 1 });
  try {
    const { probe, check } = onPolicyChecker({ policy, instruction: '', separator: '', tags: TAGS, searchWritten: new Set() });
    for (const [id, question] of [
      ['q1', 'How many r are in the word strawberry?'],
      ['q2', 'What is the sum of the counts of e and u in subsensual?'],
    ]) {
      const problem = { id, question, reference: 0 } as Problem;
      const greedy = (
        await policy.doComplete({
          prompt: { instruction: '', question, assistantPrefix: '' },
          n: 1,
          stop: [],
          maxTokens: 120,
          temperature: 0,
          topP: 1,
        })
      ).completions[0]!.text;
      const thoughts = splitPath(greedy, '', TAGS);
      assert.ok(thoughts && thoughts.length >= 3 && thoughts.at(-1)!.tag === 'answer', greedy);
      assert.equal(await probe(problem, ''), thoughts[0]!.tag);
      assert.deepEqual(await check(problem, greedy), { onPolicy: true, offAt: null, policyTag: null }, greedy);
      // The same thoughts with the one before the answer dropped: the model does not answer there.
      const cut = thoughts
        .slice(0, -2)
        .concat(thoughts.slice(-1))
        .map((t) => `<${t.tag}>${t.content}</${t.tag}>`)
        .join('');
      const result = await check(problem, cut);
      assert.equal(result.onPolicy, false, cut);
      assert.equal(result.offAt, thoughts.length - 2);
    }
  } finally {
    await policy.close?.();
  }
});
