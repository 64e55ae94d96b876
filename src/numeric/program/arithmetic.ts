import type { MathJsInstance } from 'mathjs';
import { lazyRequire } from '../../util/lazy-require.js';

/**
 * The arithmetic the program executor uses: a mathjs instance holding only these functions (no
 * parser, no `evaluate`: model text is never evaluated as an expression), configured for plain
 * IEEE doubles (`number: 'number'`), not BigNumber. FinQA's gold answers were computed by Python
 * floats and rounded to five decimals; doubles reproduce them bit for bit, where BigNumber
 * arithmetic would differ in the last place and occasionally flip a rounding.
 *
 * mathjs returns Infinity and NaN where Python raises (division by zero, overflow); the executor
 * checks every result, and decides the cases Python treats differently (a negative base with a
 * fractional exponent is complex in Python, a real root in mathjs) before calling `pow`.
 *
 * Loaded and built on first use: mathjs and its typed functions cost about a third of a second at
 * start-up, which every command would otherwise pay even when no program is ever executed.
 */
let instance: MathJsInstance | undefined;
const loadMathjs = lazyRequire<typeof import('mathjs')>('mathjs');

export function arithmetic(): MathJsInstance {
  if (instance === undefined) {
    const mathjs = loadMathjs();
    instance = mathjs.create(
      {
        // mathjs's typings declare every dependency map as possibly undefined; they are all defined.
        addDependencies: mathjs.addDependencies!,
        subtractDependencies: mathjs.subtractDependencies!,
        multiplyDependencies: mathjs.multiplyDependencies!,
        divideDependencies: mathjs.divideDependencies!,
        powDependencies: mathjs.powDependencies!,
        sumDependencies: mathjs.sumDependencies!,
        maxDependencies: mathjs.maxDependencies!,
        minDependencies: mathjs.minDependencies!,
      },
      { number: 'number', predictable: true },
    );
  }
  return instance;
}
