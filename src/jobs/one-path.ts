import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The one path for work a person asks for, held to: while a Slack listener answers a person, the
 * queue takes a job only from inside `JobQueue.storedThenTold`'s store step. A listener that queues
 * work any other way (telling someone "working on it" before the work is stored, or waiting on the
 * store past Slack's three seconds) fails at once, the first time anything runs it, with the job's
 * kind in the error.
 */
const answering = new AsyncLocalStorage<Answering>();

/** A person's request being answered: whether its store step is running, and what must happen once the answer is complete. */
interface Answering {
  storing: boolean;
  afterwards: (() => Promise<unknown>)[];
}

/** Something to do once the listener answering the person has returned (it has shown them what it had to show). */
export type AfterTheAnswer = (step: () => Promise<unknown>) => void;

/** Thrown when a listener queues work around `storedThenTold`: a mistake in the feature's code, never a person's. */
export class QueuedAroundStoredThenTold extends Error {
  override name = 'QueuedAroundStoredThenTold';
  constructor(kind: string) {
    super(`A Slack listener queued ${kind} outside JobQueue.storedThenTold; store what the person asked inside it, then tell them.`);
  }
}

/**
 * Runs a listener that answers a person: what it queues must go through `storedThenTold`. Once it
 * has returned (or failed), the steps registered with `afterTheAnswer` run.
 */
export async function answeringAPerson(listener: () => Promise<void>): Promise<void> {
  const scope: Answering = { storing: false, afterwards: [] };
  try {
    await answering.run(scope, listener);
  } finally {
    for (const step of scope.afterwards.splice(0)) await step().catch(() => {});
  }
}

/** `storedThenTold`'s store step: the one place a listener's work is queued. */
export function storingTheRequest<T>(store: () => T): T {
  const scope = answering.getStore();
  return scope ? answering.run({ ...scope, storing: true }, store) : store();
}

/** While a listener answers a person: how to do something once it has returned. Undefined elsewhere. */
export function afterTheAnswer(): AfterTheAnswer | undefined {
  const scope = answering.getStore();
  return scope && ((step) => scope.afterwards.push(step));
}

/** A job run while its person waits: what the job itself queues belongs to the job, not to the request. */
export function apartFromTheRequest<T>(work: () => T): T {
  return answering.getStore() ? answering.exit(work) : work();
}

/** Throws when a listener answering a person queues `kind` outside `storedThenTold`. */
export function assertStoredThenTold(kind: string): void {
  const scope = answering.getStore();
  if (scope && !scope.storing) throw new QueuedAroundStoredThenTold(kind);
}
