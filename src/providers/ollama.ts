import type OpenAI from 'openai';
import { z } from 'zod';
import type { EngineFacts } from './engine.js';
import type { EndpointIdentity } from './provider.js';

/**
 * Ollama: its OpenAI routes (/v1) name no checkpoint, but its own GET /api/tags lists every local
 * model with the digest of its weights (docs.ollama.com/api/tags), which changes when the model
 * is re-pulled or re-created under the same name.
 */
export const OLLAMA = 'Ollama';

const Tags = z.object({ models: z.array(z.object({ name: z.string(), model: z.string().optional(), digest: z.string().min(1) }).passthrough()) });
export type OllamaTags = z.infer<typeof Tags>;

/** GET /api/tags at the server root; null when the server is not Ollama (no such route, another shape). */
export async function readOllamaTags(client: OpenAI, root: string, signal: AbortSignal): Promise<OllamaTags | null> {
  const body = await client.get(`${root}/api/tags`, { signal }).catch(() => null);
  const parsed = Tags.safeParse(body);
  return parsed.success ? parsed.data : null;
}

/** The digest of `model` ("llama3" means "llama3:latest", as Ollama resolves it); null when not listed. */
export function ollamaIdentity(model: string, tags: OllamaTags): EndpointIdentity | null {
  const names = model.includes(':') ? [model] : [model, `${model}:latest`];
  const entry = tags.models.find((m) => names.includes(m.name) || (m.model !== undefined && names.includes(m.model)));
  if (!entry) return null;
  return { modelId: model, revision: entry.digest.startsWith('sha256:') ? entry.digest : `sha256:${entry.digest}`, source: 'ollama /api/tags' };
}

export const OLLAMA_FACTS: EngineFacts = {
  name: OLLAMA,
  contextTokens: null,
  lacks: { loglik: 'Ollama returns no prompt log-probabilities. Use --scoring generate, or serve the checkpoint with vLLM (completions route) or TGI' },
};
