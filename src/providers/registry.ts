import { UserError } from '../util/errors.js';
import { createAzureProvider } from './azure.js';
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
      throw new UserError(`model "${endpoint.name}": provider ${endpoint.provider} is not available in this build`);
  }
}
