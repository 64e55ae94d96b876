import { describe, expect, it } from 'vitest';
import { loadTask, TASK_IDS } from '../../src/tasks/catalog.js';
import { getTask, listTasks } from '../../src/tasks/registry.js';

// A run resolves its tasks through the catalog (one plugin imported each), every other command
// through the registry (all of them): both must give the same tasks and the same errors.
describe('loadTask', () => {
  it('loads each built-in task under its own id, the task the registry lists', async () => {
    expect(TASK_IDS).toEqual(listTasks().map((task) => task.id));
    for (const id of TASK_IDS) expect(await loadTask(id)).toBe(getTask(id));
  });

  it('resolves variants, and refuses unknown ids and options as getTask does', async () => {
    const variant = await loadTask('mmlu:economics');
    expect([variant.id, variant.promptHash]).toEqual([getTask('mmlu:economics').id, getTask('mmlu:economics').promptHash]);
    await expect(loadTask('fpbx')).rejects.toThrow(/unknown task "fpbx"; available tasks: fpb, fiqa-sa, headlines/);
    await expect(loadTask('constructor')).rejects.toThrow(/unknown task "constructor"/);
    await expect(loadTask('fpb:shots=3')).rejects.toThrow(/task fpb takes no options \(got "shots=3"\)/);
    expect(() => getTask('fpbx')).toThrow(/unknown task "fpbx"; available tasks: fpb, fiqa-sa, headlines/);
  });
});
