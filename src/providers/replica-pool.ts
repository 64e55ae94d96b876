import { ProviderError } from './errors.js';

/** Cool-down after a replica's first connection failure; doubles per consecutive failure. */
export const REPLICA_COOLDOWN_MS = 1_000;
const MAX_COOLDOWN_MS = 30_000;

interface Replica<T> {
  readonly target: T;
  readonly url: string;
  inFlight: number;
  /** Consecutive connection failures; a success resets it. */
  failures: number;
  coolingUntil: number;
}

/**
 * Replicas of one checkpoint (several base URLs), load-balanced request by request: each request
 * goes to the replica with the fewest requests in flight, ties broken in rotation so an idle pool
 * still spreads evenly. A replica that refuses or drops connections is skipped while it cools down
 * (1 s, doubling per consecutive failure up to 30 s); the runner's retry of the failed request then
 * lands on a healthy replica instead of the dead one getting a full share of the run. When every
 * replica is cooling down, the one that recovers first is tried anyway rather than failing fast.
 */
export class ReplicaPool<T> {
  private readonly replicas: Replica<T>[];
  private next = 0;

  constructor(
    targets: readonly { url: string; target: T }[],
    private readonly now: () => number = Date.now,
  ) {
    if (targets.length === 0) throw new Error('a replica pool needs at least one replica');
    this.replicas = targets.map(({ url, target }) => ({ target, url, inFlight: 0, failures: 0, coolingUntil: 0 }));
  }

  get size(): number {
    return this.replicas.length;
  }

  get targets(): { url: string; target: T }[] {
    return this.replicas.map(({ url, target }) => ({ url, target }));
  }

  /** Send one request through the chosen replica; connection failures put it on cool-down. */
  async run<R>(request: (target: T, url: string) => Promise<R>): Promise<R> {
    const replica = this.pick();
    replica.inFlight++;
    try {
      const result = await request(replica.target, replica.url);
      replica.failures = 0;
      return result;
    } catch (error) {
      if (error instanceof ProviderError && error.kind === 'connection') this.coolDown(replica);
      throw error;
    } finally {
      replica.inFlight--;
    }
  }

  private pick(): Replica<T> {
    const now = this.now();
    const count = this.replicas.length;
    let best: Replica<T> | undefined;
    let bestIndex = 0;
    // Scan starting at the rotation point, so equal loads take turns.
    for (let k = 0; k < count; k++) {
      const index = (this.next + k) % count;
      const replica = this.replicas[index]!;
      if (replica.coolingUntil > now) continue;
      if (best === undefined || replica.inFlight < best.inFlight) {
        best = replica;
        bestIndex = index;
      }
    }
    if (best === undefined) {
      best = this.replicas.reduce((soonest, replica) => (replica.coolingUntil < soonest.coolingUntil ? replica : soonest));
      bestIndex = this.replicas.indexOf(best);
    }
    this.next = (bestIndex + 1) % count;
    return best;
  }

  private coolDown(replica: Replica<T>): void {
    replica.failures++;
    const wait = Math.min(MAX_COOLDOWN_MS, REPLICA_COOLDOWN_MS * 2 ** (replica.failures - 1));
    replica.coolingUntil = this.now() + wait;
  }
}
