/** Policies (LLM back-ends) behind one interface; see docs/policy.md. */
export type * from './types.ts';
export * from './chat-template.ts';
export * from './request-error.ts';
export * from './wrap-policy.ts';
export * from './with-retries.ts';
export * from './with-balancing.ts';
export * from './with-fan-out.ts';
export * from './with-concurrency-limit.ts';
export * from './openai-compatible/index.ts';
export * from './llama-cpp/index.ts';
export * from './create-policies.ts';
export * from './scripted-policy.ts';
