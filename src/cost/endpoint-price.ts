import type { EndpointSpec } from '../providers/provider.js';
import { priceFor, type PriceTable, type ResolvedPrice } from './prices.js';

/**
 * The price of what an endpoint serves: by the model id it is asked for, else by the model the
 * server says it serves (an Azure deployment named "prod-4o" serving gpt-4o-2024-08-06).
 */
export function endpointPrice(endpoint: EndpointSpec, configured: PriceTable = {}): ResolvedPrice | null {
  return priceFor(endpoint.model, configured) ?? (endpoint.identity ? priceFor(endpoint.identity.modelId, configured) : null);
}
