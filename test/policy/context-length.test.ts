import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContextLengthError } from '../../src/core/index.ts';
import { httpStatusError, PolicyRequestError } from '../../src/policy/request-error.ts';

test('HTTP 400 bodies that say the prompt is too long become ContextLengthError (not retryable); other 4xx/5xx keep their class', () => {
  const bodies = [
    "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens", // vLLM
    'the request exceeds the available context size, try increasing it', // llama.cpp server
    'context_length_exceeded', // OpenAI
  ];
  for (const body of bodies) {
    const error = httpStatusError('http://x/v1', 400, body, undefined);
    assert.ok(ContextLengthError.isContextLength(error), body);
    assert.equal(error.isRetryable, false);
  }
  const other = httpStatusError('http://x/v1', 400, 'unknown field "foo"', undefined);
  assert.ok(other instanceof PolicyRequestError);
  assert.equal(ContextLengthError.isContextLength(other), false);
  const busy = httpStatusError('http://x/v1', 503, 'maximum context length', 1000);
  assert.equal(ContextLengthError.isContextLength(busy), false, 'a 5xx stays a retryable server error');
  assert.equal(busy.isRetryable, true);
});
