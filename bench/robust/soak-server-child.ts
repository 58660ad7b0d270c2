/**
 * Child process for bench/robust/soak.ts: the loopback OpenAI server (test/helpers/openai-server.ts)
 * with injected faults, on its own process so it does not share the search's event loop. Its
 * responder writes letter-count thoughts that differ by a hash of the prompt, seed and choice (so
 * siblings rarely merge and trees keep growing) and answers right or off by one. Options as JSON in argv[2]:
 * `{failureRate, stallMs, seed}`. Reports its base URL, then `{requests, failures, rssBytes}` on 'stats'.
 */
import { hashString } from '../../src/core/index.ts';
import { parseLetterCountQuestion, letterCountAnswer } from '../../src/tasks/index.ts';
import { ALL_FAILURE_KINDS, startOpenAITestServer, type GenerationRequest } from '../../test/helpers/openai-server.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as { failureRate: number; stallMs: number; seed: number };

function respond(request: GenerationRequest): string[] {
  const parsed = parseLetterCountQuestion(request.prompt);
  const truth = parsed ? letterCountAnswer(parsed) : 0;
  return Array.from({ length: request.choices }, (_, i) => {
    // A function of the request only (not of how often it came): a retried request gets the same
    // answer, so the trees must not depend on the faults (soak.ts compares with a fault-free run).
    const h = hashString(`${request.prompt}|${request.seed}|${i}`);
    if (request.prompt.trimEnd().endsWith('The answer is:') || request.prompt.trimEnd().endsWith('<answer>'))
      return ` \\boxed{${h % 3 === 0 ? truth + 1 : truth}}`;
    return ` step ${h % 100000}: count the letters one by one`;
  });
}

const server = await startOpenAITestServer({
  failureRate: options.failureRate,
  failureKinds: [...ALL_FAILURE_KINDS, 'empty-choices'],
  stallMs: options.stallMs,
  seed: options.seed,
  responder: respond,
});
process.send?.({ baseURL: server.baseURL });
let requests = 0;
let failures = 0;
process.on('message', (message: unknown) => {
  if (message === 'stats') {
    requests += server.requestCount('/v1/completions');
    failures += Object.values(server.failureCounts()).reduce((a, b) => a + b, 0);
    // The record of every request (bodies included) would grow without bound over a soak: keep totals only.
    server.reset();
    process.send?.({ requests, failures, rssBytes: process.memoryUsage().rss });
  }
});
process.on('disconnect', () => {
  void server.close().then(() => process.exit(0));
});
