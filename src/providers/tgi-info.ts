import type { EndpointIdentity } from './provider.js';

/**
 * TGI's `GET /info` at the server root: `model_id` and `model_sha` name the checkpoint behind the
 * URL, whichever client reaches it (the huggingface provider, or openai-compatible on TGI's
 * Messages API). Null for a body without a model id (another server's /info).
 */
export function tgiIdentity(info: unknown): EndpointIdentity | null {
  if (info === null || typeof info !== 'object') return null;
  const { model_id: modelId, model_sha: modelSha } = info as { model_id?: unknown; model_sha?: unknown };
  if (typeof modelId !== 'string' || modelId === '') return null;
  return { modelId, revision: typeof modelSha === 'string' && modelSha !== '' ? modelSha : null, source: 'tgi /info' };
}
