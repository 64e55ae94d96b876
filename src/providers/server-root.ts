/**
 * The server behind an endpoint URL. Users give a TGI server or Inference Endpoint as its root
 * (`http://gpu-box:8080`, `https://xyz.endpoints.huggingface.cloud`, as the Endpoints page shows
 * it); a URL ending in /v1 (the form OpenAI-compatible clients are given) names the same server.
 * TGI's own routes (/generate, /info), llama.cpp's (/props, /tokenize) and the OpenAI routes under /v1
 * hang off the root.
 */
export function serverRoot(baseURL: string): string {
  return baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');
}
