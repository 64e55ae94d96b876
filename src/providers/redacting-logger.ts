import { format } from 'node:util';
import { redactSecrets } from '../util/secrets.js';

/**
 * The logger given to every OpenAI SDK client. `OPENAI_LOG=debug` makes the SDK print each
 * request and response, bodies and most headers included (it masks only Authorization and
 * cookies): Azure's `api-key` header and a key echoed in a body would reach the terminal. Each
 * line is formatted as the console would, then redacted, then printed to the same stream.
 */
export const redactingLogger = {
  error: (...args: unknown[]) => console.error(redactSecrets(format(...args))),
  warn: (...args: unknown[]) => console.warn(redactSecrets(format(...args))),
  info: (...args: unknown[]) => console.info(redactSecrets(format(...args))),
  debug: (...args: unknown[]) => console.debug(redactSecrets(format(...args))),
};
