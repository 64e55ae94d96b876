/**
 * Study 1 — cocktail fine-tuning (SIMULATED models): a base model, a single-task fine-tune (on FPB),
 * a multi-task fine-tune (FPB + FiQA-SA) and GPT-4o as the reference, on two finance sentiment tasks
 * plus general knowledge (MMLU) and math (GSM8K) for transfer. Question: which mixture wins each task,
 * and what does each cost in general ability and math?
 *
 *   npm run build && node dist/examples/studies/cocktail.js     (report in reports/study-cocktail/)
 */
import { compare, examplePath, writeSimulatedRuns } from './simulated-models.js';

const runs = 'runs/study-cocktail';
await writeSimulatedRuns(runs, [
  { model: 'base', accuracy: { fpb: 0.62, 'fiqa-sa': 0.6, mmlu: 0.6, gsm8k: 0.45 } },
  { model: 'ft-single', accuracy: { fpb: 0.86, 'fiqa-sa': 0.66, mmlu: 0.55, gsm8k: 0.4 } },
  { model: 'ft-multi', accuracy: { fpb: 0.8, 'fiqa-sa': 0.8, mmlu: 0.59, gsm8k: 0.44 } },
  { model: 'gpt-4o', accuracy: { fpb: 0.78, 'fiqa-sa': 0.74, mmlu: 0.85, gsm8k: 0.9 } },
]);
compare([runs, '--base', 'base', '--reference', 'gpt-4o', '--pairs', 'all', '--study', examplePath('cocktail.yaml'), '--resamples', '2000', '-o', 'reports/study-cocktail']);
