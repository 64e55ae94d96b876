import { createAzureProvider } from './azure.js';
import { HuggingFaceProvider } from './huggingface.js';
import { OpenAICompatibleProvider } from './openai-compatible.js';
import type { EndpointSpec, Provider } from './provider.js';
import { responseLimitBytes } from './response-limits.js';

/** One constructor per provider kind; new kinds register here. */
export function createProvider(endpoint: EndpointSpec, env: NodeJS.ProcessEnv = process.env): Provider {
  // A bad response-size cap is reported before the first request, not as a failure of each.
  responseLimitBytes(env);
  switch (endpoint.provider) {
    case 'openai':
    case 'openai-compatible':
      return new OpenAICompatibleProvider(endpoint, env);
    case 'azure':
      return createAzureProvider(endpoint, env);
    case 'huggingface':
      return new HuggingFaceProvider(endpoint, env);
  }
}
