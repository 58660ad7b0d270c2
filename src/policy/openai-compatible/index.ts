export { OpenAICompatibleEndpoint, classify, cutAtStop, mapFinishReason } from './endpoint.ts';
export type { EndpointMode, EndpointOptions } from './endpoint.ts';
export { probeEndpoint } from './probe.ts';
export type { ProbeOptions, ProbeResult } from './probe.ts';
export { createOpenAICompatiblePolicy, normalizeBaseURL } from './create-openai-compatible-policy.ts';
export type { OpenAICompatiblePolicy, OpenAICompatiblePolicyOptions } from './create-openai-compatible-policy.ts';
