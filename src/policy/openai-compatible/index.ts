export { OpenAICompatibleEndpoint, cutAtStop, mapFinishReason } from './endpoint.ts';
export { createSender, classify } from './sender.ts';
export type { Sender, SenderOptions, Transport } from './sender.ts';
export { requestJson } from './node-http-transport.ts';
export type { EndpointMode, EndpointOptions } from './endpoint.ts';
export { probeEndpoint } from './probe.ts';
export type { ProbeOptions, ProbeResult } from './probe.ts';
export { createOpenAICompatiblePolicy, normalizeBaseURL } from './create-openai-compatible-policy.ts';
export type { OpenAICompatiblePolicy, OpenAICompatiblePolicyOptions } from './create-openai-compatible-policy.ts';
