import { describe, expect, it } from 'vitest';
import { endpointPrice } from '../../src/cost/endpoint-price.js';
import { costOf, priceFor, type PriceTable } from '../../src/cost/prices.js';

describe('priceFor', () => {
  it('knows the OpenAI reference models at their list prices', () => {
    expect(priceFor('gpt-4o')).toMatchObject({ input_per_million: 2.5, output_per_million: 10, batch_discount: 0.5, matched: 'gpt-4o', source: 'default' });
    expect(priceFor('gpt-4o-mini')).toMatchObject({ input_per_million: 0.15, output_per_million: 0.6, matched: 'gpt-4o-mini' });
  });

  it('prices a dated snapshot as its family, unless the snapshot has its own price', () => {
    expect(priceFor('gpt-4o-2024-08-06')).toMatchObject({ input_per_million: 2.5, matched: 'gpt-4o' });
    expect(priceFor('gpt-4o-mini-2024-07-18')).toMatchObject({ input_per_million: 0.15, matched: 'gpt-4o-mini' });
    expect(priceFor('gpt-4o-2024-05-13')).toMatchObject({ input_per_million: 5, output_per_million: 15, matched: 'gpt-4o-2024-05-13' });
  });

  it('has no price for models nobody priced: null, never zero', () => {
    expect(priceFor('meta-llama/Meta-Llama-3-8B-Instruct')).toBeNull();
    expect(priceFor('gpt-4o-turbo-nonexistent')).toBeNull();
    expect(priceFor('my-gpt-4o')).toBeNull();
  });

  it('lets the config override defaults and price other models by name or * pattern, the longest pattern winning', () => {
    const table: PriceTable = {
      'gpt-4o': { input_per_million: 2, output_per_million: 8, batch_discount: 0.5 },
      'llama-*': { input_per_million: 0.1, output_per_million: 0.1, batch_discount: 0 },
      'llama-3-*-instruct': { input_per_million: 0.2, output_per_million: 0.3, batch_discount: 0 },
    };
    expect(priceFor('gpt-4o', table)).toMatchObject({ input_per_million: 2, source: 'config' });
    expect(priceFor('gpt-4o-2024-11-20', table)).toMatchObject({ input_per_million: 2, source: 'config', matched: 'gpt-4o' });
    expect(priceFor('gpt-4o-mini', table)).toMatchObject({ input_per_million: 0.15, source: 'default' });
    expect(priceFor('llama-3-8b', table)).toMatchObject({ matched: 'llama-*' });
    expect(priceFor('llama-3-70b-instruct', table)).toMatchObject({ matched: 'llama-3-*-instruct', output_per_million: 0.3 });
    expect(priceFor('my-llama-3', table)).toBeNull();
  });

  it('prices an endpoint by its model id, else by the model the server says it serves', () => {
    const azure = { name: 'prod', provider: 'azure' as const, model: 'prod-4o', baseURL: 'https://example.invalid' };
    expect(endpointPrice(azure)).toBeNull();
    expect(endpointPrice({ ...azure, identity: { modelId: 'gpt-4o-2024-08-06', revision: null, source: 'test' } })).toMatchObject({ matched: 'gpt-4o' });
  });
});

describe('costOf', () => {
  const price = { input_per_million: 2.5, output_per_million: 10, batch_discount: 0.5 };

  it('charges prompt and completion tokens at their rates', () => {
    // 1,000 prompt tokens at $2.50/M + 200 completion tokens at $10/M = $0.0025 + $0.002.
    expect(costOf({ prompt_tokens: 1000, completion_tokens: 200 }, price)).toBeCloseTo(0.0045, 12);
  });

  it('takes the batch discount off Batch API requests', () => {
    expect(costOf({ prompt_tokens: 1000, completion_tokens: 200 }, price, true)).toBeCloseTo(0.00225, 12);
    expect(costOf({ prompt_tokens: 1000, completion_tokens: 200 }, { ...price, batch_discount: 0.25 }, true)).toBeCloseTo(0.003375, 12);
  });
});
