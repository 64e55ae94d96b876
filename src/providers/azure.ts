import { AzureOpenAI } from 'openai';
import { UserError } from '../util/errors.js';
import { registerSecret } from '../util/secrets.js';
import { OpenAICompatibleProvider } from './openai-compatible.js';
import type { EndpointSpec, Provider } from './provider.js';
import { httpTransport } from './http-transport.js';
import { redactingLogger } from './redacting-logger.js';

/** Where the key is read from when the endpoint does not name a variable. */
export const AZURE_KEY_ENV = 'AZURE_OPENAI_API_KEY';

/**
 * Azure OpenAI through the `openai` package's `AzureOpenAI` client. Azure speaks OpenAI's chat
 * protocol with three differences, all handled by that client: the URL names the deployment
 * (`{endpoint}/openai/deployments/{deployment}/chat/completions`), every request carries
 * `?api-version=`, and the key goes in an `api-key` header (an Entra ID token as
 * `Authorization: Bearer`). Requests, responses and error classification are the OpenAI ones.
 *
 * `baseURL` is the resource endpoint, e.g. `https://my-resource.openai.azure.com`.
 */
export function createAzureProvider(endpoint: EndpointSpec, env: NodeJS.ProcessEnv = process.env): Provider {
  const azure = endpoint.azure;
  if (!azure?.deployment) throw new UserError(`model "${endpoint.name}": provider azure needs a deployment (deployment: in the endpoint's config)`);
  if (!azure.apiVersion) throw new UserError(`model "${endpoint.name}": provider azure needs an API version (api_version: in the endpoint's config, e.g. 2024-10-21)`);
  const client = new AzureOpenAI({
    // The SDK appends "/openai"; a trailing slash would make the path "//openai".
    endpoint: endpoint.baseURL.replace(/\/+$/, ''),
    deployment: azure.deployment,
    apiVersion: azure.apiVersion,
    ...azureCredentials(endpoint, env),
    maxRetries: 0,
    timeout: endpoint.timeoutMs ?? 120_000,
    fetch: httpTransport,
    logger: redactingLogger,
  });
  return new OpenAICompatibleProvider(endpoint, env, client);
}

/**
 * An Entra ID token when the endpoint names its variable (then no key is needed; the SDK refuses
 * both at once), else the key. The token is read on every request, so a token refreshed in the
 * environment by a wrapper is picked up; both are registered as secrets.
 */
function azureCredentials(endpoint: EndpointSpec, env: NodeJS.ProcessEnv): { apiKey: string } | { azureADTokenProvider: () => Promise<string> } {
  const tokenEnv = endpoint.azure?.adTokenEnv;
  if (tokenEnv !== undefined) {
    const readToken = (): string => {
      const token = env[tokenEnv];
      if (!token) throw new UserError(`model "${endpoint.name}" needs a Microsoft Entra ID token: set the environment variable ${tokenEnv}`);
      registerSecret(token);
      return token;
    };
    readToken();
    return { azureADTokenProvider: () => Promise.resolve(readToken()) };
  }
  const keyEnv = endpoint.apiKeyEnv ?? AZURE_KEY_ENV;
  const key = env[keyEnv];
  if (!key) throw new UserError(`model "${endpoint.name}" needs an API key: set the environment variable ${keyEnv} (or azure_ad_token_env for an Entra ID token)`);
  registerSecret(key);
  return { apiKey: key };
}
