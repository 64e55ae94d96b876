/** A model served by the simulator: how often it is right, and how it phrases its answers. */
export interface SimulatedModel {
  /** Model id clients send, served back in the response's `model` field. Demo names start with "sim-". */
  name: string;
  /** Probability that the underlying answer is the correct one (deterministic per model and prompt). */
  accuracy: number;
  /**
   * Per-task accuracy (task id without options), overriding `accuracy`: lets a simulated
   * checkpoint gain on finance tasks while it forgets general ones, as fine-tunes do.
   */
  accuracyByTask?: Readonly<Record<string, number>>;
  /**
   * Probability of an answer with no usable label. Drawn independently of correctness, so the
   * share of correct *parsed* answers is `accuracy * (1 - unparseableRate)`.
   */
  unparseableRate?: number;
  /** Probability the answer is wrapped in prose ("Answer: positive") instead of given bare. */
  verboseRate?: number;
  /** Per-request delay in milliseconds; overrides the server default. */
  latencyMs?: number;
  /**
   * What GET /v1/models reports, as vLLM does: `root` is the weights the model was loaded from
   * (default: the name), `parent` the base model of a LoRA adapter. A different root behind the
   * same URL and name stands for a swapped checkpoint.
   */
  root?: string;
  parent?: string;
  /**
   * Plays a judge (src/simulator/judge.ts): prompts built by a judge rubric get a verdict, right
   * with this accuracy; any other prompt is answered as usual.
   */
  judge?: import('./judge.js').SimulatedJudge;
}

/**
 * The offline demo's line-up, standing in for the comparison the harness exists for: a base
 * model, its fine-tuned checkpoint and a GPT-4o-like reference. Accuracy and formatting habits
 * differ on purpose, so each exercises the parser and the missing-answer accounting differently.
 */
export const DEMO_MODELS: readonly SimulatedModel[] = [
  { name: 'sim-base', accuracy: 0.62, accuracyByTask: { mmlu: 0.75, gsm8k: 0.7 }, unparseableRate: 0.08, verboseRate: 0.3 },
  // Better at finance after fine-tuning, but it has lost general knowledge: the report should say so.
  { name: 'sim-finetuned', accuracy: 0.86, accuracyByTask: { mmlu: 0.2, gsm8k: 0.72 }, unparseableRate: 0.01, verboseRate: 0.05 },
  { name: 'sim-gpt-4o-like', accuracy: 0.8, accuracyByTask: { mmlu: 0.85, gsm8k: 0.9 }, unparseableRate: 0, verboseRate: 0.5 },
];

/**
 * Stands in for a model name the server was not told about when `strictModels` is off: an
 * oracle, so a pipeline pointed at an arbitrary model id still gets gold answers back.
 */
export function oracleModel(name: string): SimulatedModel {
  return { name, accuracy: 1 };
}

/** Reject configurations that would make the simulator's statistics meaningless. */
export function validateModels(models: readonly SimulatedModel[]): void {
  const seen = new Set<string>();
  for (const model of models) {
    if (typeof model.name !== 'string' || model.name.trim() === '') throw new Error('simulated model needs a non-empty name');
    if (seen.has(model.name)) throw new Error(`simulated model "${model.name}" is defined twice`);
    seen.add(model.name);
    checkProbability(model.name, 'accuracy', model.accuracy);
    for (const [task, accuracy] of Object.entries(model.accuracyByTask ?? {})) checkProbability(model.name, `accuracyByTask.${task}`, accuracy);
    checkProbability(model.name, 'unparseableRate', model.unparseableRate ?? 0);
    checkProbability(model.name, 'verboseRate', model.verboseRate ?? 0);
    if (model.judge) {
      checkProbability(model.name, 'judge.accuracy', model.judge.accuracy);
      checkProbability(model.name, 'judge.unparseableRate', model.judge.unparseableRate ?? 0);
    }
    if (model.latencyMs !== undefined && !(Number.isFinite(model.latencyMs) && model.latencyMs >= 0)) {
      throw new Error(`simulated model "${model.name}": latencyMs must be a non-negative number, got ${model.latencyMs}`);
    }
  }
}

function checkProbability(model: string, field: string, value: number): void {
  if (!(typeof value === 'number' && value >= 0 && value <= 1)) {
    throw new Error(`simulated model "${model}": ${field} must be a number in [0, 1], got ${String(value)}`);
  }
}
