import type { Reply } from './reply.js';

/**
 * Text Generation Inference's error bodies, `{"error": message, "error_type": kind}`, with the
 * statuses TGI's router uses: 422 validation, 429 overloaded, 424 generation, 500
 * incomplete_generation. The Hugging Face proxy in front of Inference Endpoints answers 503 while
 * the model loads (or scales up from zero) with `{"error", "estimated_time"}` in seconds.
 */
export function tgiError(status: number, error: string, errorType?: string, headers?: Readonly<Record<string, string>>): Reply {
  return { kind: 'json', status, body: { error, ...(errorType === undefined ? {} : { error_type: errorType }) }, ...(headers ? { headers } : {}) };
}

export function tgiValidationError(message: string): Reply {
  return tgiError(422, `Input validation error: ${message}`, 'validation');
}

export function tgiLengthError(inputTokens: number, maxNewTokens: number, maxTotalTokens: number): Reply {
  return tgiValidationError(`\`inputs\` tokens + \`max_new_tokens\` must be <= ${maxTotalTokens}. Given: ${inputTokens} \`inputs\` tokens and ${maxNewTokens} \`max_new_tokens\``);
}

export function tgiOverloaded(headers?: Readonly<Record<string, string>>): Reply {
  return tgiError(429, 'Model is overloaded', 'overloaded', headers);
}

export function modelLoading(model: string, estimatedTimeSeconds: number): Reply {
  return { kind: 'json', status: 503, body: { error: `Model ${model} is currently loading`, estimated_time: estimatedTimeSeconds } };
}

export function tgiUnauthorized(detail: string): Reply {
  return tgiError(401, `Authorization header is invalid or missing${detail === '' ? '' : `: ${detail}`}`, 'authentication');
}
