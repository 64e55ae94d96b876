import OpenAI from 'openai';
import { UserError } from '../util/errors.js';
import { redactSecrets, registerSecret } from '../util/secrets.js';
import { redactingLogger } from '../providers/redacting-logger.js';

/**
 * The model ids an OpenAI-compatible server lists at GET /v1/models: for vLLM, the base model and
 * every LoRA adapter it was started with (`--lora-modules name=path`). Asked through the openai
 * client, like every other request the harness sends.
 */
export async function listServedModels(baseURL: string, apiKeyEnv?: string, timeoutMs = 30_000): Promise<string[]> {
  let apiKey = 'EMPTY';
  if (apiKeyEnv !== undefined) {
    const key = process.env[apiKeyEnv];
    if (!key) throw new UserError(`--server-key-env ${apiKeyEnv}: the environment variable is not set`);
    registerSecret(key);
    apiKey = key;
  }
  const client = new OpenAI({ apiKey, baseURL, maxRetries: 2, timeout: timeoutMs, logger: redactingLogger });
  try {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    return ids;
  } catch (error) {
    throw new UserError(`cannot list the models served at ${baseURL} (GET /models): ${redactSecrets(error instanceof Error ? error.message : String(error))}`);
  }
}
