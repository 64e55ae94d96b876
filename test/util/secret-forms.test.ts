import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { redactDeep, redactSecrets, registerSecret } from '../../src/util/secrets.js';

/** Keys with characters that change under every encoding: a quote, a backslash, non-ASCII, a space, URL-reserved characters. */
const KEYS = ['sk-"quoted\\back slash/ünï✓+=&<tag>-0123456789', "sk-plain-ASCII-key-'single'-9f8e7d6c5b4a"];
for (const key of KEYS) registerSecret(key);

const json = (s: string) => JSON.stringify(s).slice(1, -1);
const asciiJson = (s: string) => json(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const pythonRepr = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const ECHOES: [string, (key: string) => string][] = [
  ['verbatim', (k) => `Incorrect API key provided: Bearer ${k}.`],
  ['JSON-escaped', (k) => `{"error":{"message":"bad key ${json(k)}"}}`],
  ['JSON-escaped, non-ASCII as \\uXXXX (Python json.dumps)', (k) => `{"detail": "key ${asciiJson(k)} rejected"}`],
  ['JSON-escaped, uppercase \\uXXXX', (k) => `"${asciiJson(k).replace(/\\u([0-9a-f]{4})/g, (_m, h: string) => `\\u${h.toUpperCase()}`)}"`],
  ['JSON-escaped twice (JSON inside a JSON string)', (k) => JSON.stringify(JSON.stringify({ key: k }))],
  ['URL-encoded', (k) => `https://x.test/cb?token=${encodeURIComponent(k)}&y=1`],
  ['URL-encoded, lowercase hex', (k) => `q=${encodeURIComponent(k).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())}`],
  ['form-encoded (+ for spaces)', (k) => `api_key=${encodeURIComponent(k).replace(/%20/g, '+')}`],
  ['HTML-escaped', (k) => `<p>${k.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')}</p>`],
  ['Python repr', (k) => `KeyError(${pythonRepr(k)})`],
  ['util.inspect', (k) => inspect({ headers: { authorization: `Bearer ${k}` } })],
];

describe('redactSecrets finds every common encoding of a key', () => {
  for (const key of KEYS) {
    it.each(ECHOES)(`%s (key ${JSON.stringify(key.slice(0, 12))}…)`, (_name, echo) => {
      const text = echo(key);
      const redacted = redactSecrets(text);
      expect(redacted).toContain('[REDACTED]');
      expect(redacted).not.toContain(key);
      // No recognisable fragment of the key is left: its first and last thirds are gone too.
      const third = Math.floor(key.length / 3);
      for (const part of [key.slice(0, third), key.slice(-third)]) {
        for (const encode of [(s: string) => s, json, encodeURIComponent]) expect(redacted).not.toContain(encode(part));
      }
    });

    it.each([0, 1, 2])(`base64 and base64url at byte offset %i inside longer data (key ${JSON.stringify(key.slice(0, 12))}…)`, (offset) => {
      const data = Buffer.concat([Buffer.from('Bearer '.slice(0, 4 + offset)), Buffer.from(key), Buffer.from('!?')]);
      for (const text of [data.toString('base64'), data.toString('base64url')]) {
        const redacted = redactSecrets(`basic ${text} end`);
        expect(redacted).toContain('[REDACTED]');
        // What is left of the encoded data is only the characters shared with the bytes around the key.
        const runs = redacted.match(/[A-Za-z0-9+/_-]{5,}=*/g) ?? [];
        for (const run of runs) expect(run.replace(/=+$/, '').length, run).toBeLessThanOrEqual(8);
      }
    });
  }

  it('leaves ordinary text alone', () => {
    const text = 'The answer is positive. {"label":"neutral"} https://example.com/?a=1 U2FsdGVkX1';
    expect(redactSecrets(text)).toBe(text);
  });

  it('redactDeep redacts every string of a record, keys included, and returns the same object when there is nothing to redact', () => {
    const record = { raw_output: `echo ${KEYS[0]}`, nested: [{ [KEYS[1]!]: json(KEYS[1]!) }], n: 3, ok: null };
    const redacted = redactDeep(record);
    expect(JSON.stringify(redacted)).not.toMatch(/sk-/);
    expect(redacted.n).toBe(3);
    const clean = { raw_output: 'positive', scores: { correct: 1 } };
    expect(redactDeep(clean)).toBe(clean);
  });
});
