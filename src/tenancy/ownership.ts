import type { Store, WorkspaceKey } from '../store/types.js';

/** The kinds of record a Slack payload may name (a button's value, a form's metadata). */
export type RecordKind = 'endpoint' | 'number' | 'job' | 'numberRequest' | 'linkRequest' | 'linkRun' | 'phoneImport';

/** Whose a named record is, and its type where that decides who may act on it (an endpoint's `phone` or `slack_channel`). */
export interface Owner {
  workspaceKey: WorkspaceKey | null;
  type?: string;
}

/** How a person reads each kind, in "There is no such … in this workspace". */
export const recordNouns: Record<RecordKind, string> = {
  endpoint: 'route or phone endpoint',
  number: 'number',
  job: 'job',
  numberRequest: 'number request',
  linkRequest: 'link request',
  linkRun: 'link run',
  phoneImport: 'import',
};

/** A number is named by its vendor and the vendor's id: `vapi:…`, `signalwire:…`. */
export function numberRecordId(backend: string, vendorId: string): string {
  return `${backend}:${vendorId}`;
}

/** Looks up the owner of a named record, for the listener guards; undefined when there is no such record. */
export function recordOwners(store: Store): (kind: RecordKind, id: string) => Promise<Owner | undefined> {
  const lookups: Record<RecordKind, (id: string) => Promise<Owner | undefined>> = {
    endpoint: (id) => store.endpoints.find(id),
    number: (id) => {
      const [backend, ...rest] = id.split(':');
      return backend === 'vapi' || backend === 'signalwire' ? store.numbers.find(backend, rest.join(':')) : Promise.resolve(undefined);
    },
    job: (id) => store.jobs.get(id),
    numberRequest: (id) => store.numberRequests.get(id),
    linkRequest: (id) => store.linkRequests.get(id),
    linkRun: (id) => store.linkRuns.get(id),
    phoneImport: (id) => store.phoneImports.get(id),
  };
  return (kind, id) => (id ? lookups[kind](id) : Promise.resolve(undefined));
}
