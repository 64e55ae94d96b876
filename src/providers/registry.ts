import { createAzureProvider } from './azure.js';
import { HuggingFaceProvider } from './huggingface.js';
import { OpenAICompatibleProvider } from './openai-compatible.js';
import type { EndpointSpec, Provider } from './provider.js';

/** One constructor per provider kind; new kinds register here. */
export function createProvider(endpoint: EndpointSpec, env: NodeJS.ProcessEnv = process.env): Provider {
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
