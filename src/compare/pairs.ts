/**
 * Candidate against candidate (`compare --pairs a:b,c:d` or `--pairs all`): each pair is one
 * comparison family over the tasks both were compared on (./family.ts), and a "winner per task"
 * view reads those same intervals.
 */
import { UserError } from '../util/errors.js';
import type { FamilyDifference } from './family.js';

export interface PairComparison {
  a: string;
  b: string;
  /** a − b per task, simultaneous over the pair's tasks. */
  tasks: FamilyDifference[];
  /** Why the pair has no task: no shared task, or every shared task asked under different conditions (a factor). */
  note?: string;
}

/**
 * Which model leads each task, and whether the lead is decided: `winner` only when the leader's
 * simultaneous interval against every other model of the task's pairs lies above 0; otherwise
 * `tied` lists the models the leader is not shown to beat (the leader included).
 */
export interface TaskWinner {
  task: string;
  metric: string;
  estimates: Record<string, number | null>;
  leader: string | null;
  winner: string | null;
  tied: string[];
}

/** `a:b,c:d` → pairs of loaded labels; `all` → every pair of candidates, in order. */
export function parsePairs(spec: string, labels: readonly string[], candidates: readonly string[]): { a: string; b: string }[] {
  if (spec.trim() === 'all') {
    if (candidates.length < 2) throw new UserError(`--pairs all: needs at least two candidates; found ${candidates.length} (${candidates.join(', ') || 'none'})`);
    return candidates.flatMap((a, i) => candidates.slice(i + 1).map((b) => ({ a, b })));
  }
  const pairs = spec.split(',').map((part) => {
    // Split on the last ':' so that a model name holding one (an Ollama tag, `llama3:8b`) still works as `a`.
    const at = part.lastIndexOf(':');
    const [a, b] = at === -1 ? [part, ''] : [part.slice(0, at).trim(), part.slice(at + 1).trim()];
    if (!a || !b) throw new UserError(`--pairs: expected model:model (or "all"), got "${part}"`);
    for (const name of [a, b]) if (!labels.includes(name)) throw new UserError(`--pairs: no model "${name}"; loaded: ${labels.join(', ')}`);
    if (a === b) throw new UserError(`--pairs: "${part}" pairs a model with itself`);
    return { a, b };
  });
  return pairs;
}

export function taskWinners(pairs: readonly PairComparison[], estimates: ReadonlyMap<string, { metric: string; values: Record<string, number | null> }>): TaskWinner[] {
  return [...estimates].map(([task, { metric, values }]) => {
    const models = [...new Set(pairs.flatMap((p) => (p.tasks.some((t) => t.task === task) ? [p.a, p.b] : [])))];
    const ranked = models.filter((m) => values[m] !== null && values[m] !== undefined).sort((x, y) => values[y]! - values[x]!);
    const leader = ranked[0] ?? null;
    if (leader === null) return { task, metric, estimates: pick(values, models), leader, winner: null, tied: [] };
    const beats = (other: string): boolean =>
      pairs.some((p) => {
        const d = p.tasks.find((t) => t.task === task);
        if (!d?.significant || d.difference === null) return false;
        return (p.a === leader && p.b === other && d.difference > 0) || (p.b === leader && p.a === other && d.difference < 0);
      });
    const tied = [leader, ...ranked.slice(1).filter((m) => !beats(m))];
    return { task, metric, estimates: pick(values, models), leader, winner: tied.length === 1 ? leader : null, tied };
  });
}

function pick(values: Record<string, number | null>, models: readonly string[]): Record<string, number | null> {
  return Object.fromEntries(models.map((m) => [m, values[m] ?? null]));
}
