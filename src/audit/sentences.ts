import { failureLine } from '../features/failure-text.js';
import { maskPhoneNumber } from '../features/phone/phone-number.js';
import { type Action, actions as policyActions } from '../permissions/policy.js';
import { code, isUserId, joinMd, type Mrkdwn, md, mentionChannel, mentionUser } from '../slack/mrkdwn.js';
import type { AuditEntry } from '../store/types.js';

/**
 * An audit line as a sentence a person reads: "@Alex registered +1 415 ••• 0112 for subscriber
 * `sub-1`." Each action says what was done (`did`) and what was tried (`todo`); the outcome picks
 * the sentence. Vendor ids and errors are not part of it: they go in the line's details.
 */
interface Phrase {
  did: Mrkdwn;
  todo: Mrkdwn;
  /** What a `queued` line says instead of `did`: asked for, started, waiting. */
  asked?: Mrkdwn;
  /** Who did it when it was not the person on the entry (Vapi activating a number, say). */
  by?: string;
  /** What a `failed` line says when the work ended with failures rather than not at all (an import with rows Novu refused). */
  partly?: Mrkdwn;
}

type PhraseOf = (entry: AuditEntry) => Phrase;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
const count = (value: unknown): number => (typeof value === 'number' ? value : 0);
const subscriber = (entry: AuditEntry) => (entry.target ? md`subscriber ${code(entry.target)}` : md`a subscriber`);
const phone = (value: unknown) => (text(value) ? md`${maskPhoneNumber(String(value))}` : md`a phone number`);
const named = (entry: AuditEntry, fallback: string) => (entry.target ? code(entry.target) : md`${fallback}`);
const same = (words: Mrkdwn, past: Mrkdwn): Phrase => ({ todo: words, did: past });

const slackTarget = (entry: AuditEntry) => {
  const channel = text(entry.detail?.channel);
  const user = text(entry.detail?.user);
  if (channel) return { verb: 'route', past: 'routed', who: mentionChannel(channel) };
  return { verb: 'link', past: 'linked', who: user && isUserId(user) ? mentionUser(user) : md`a Slack user` };
};

const connection: Record<string, [todo: string, did: string]> = {
  install: ['connect this workspace to Novu', 'connected this workspace to Novu'],
  approval: ['connect this workspace to Novu', 'connected this workspace to Novu'],
  setup: ["change this workspace's Novu connection", "changed this workspace's Novu connection"],
  reconnect: ['reconnect this workspace to Novu', 'reconnected this workspace to Novu'],
  rotate: ["give Novu this workspace's new Slack token", "gave Novu this workspace's new Slack token"],
};

const importSteps = (entry: AuditEntry): Record<string, Phrase> => {
  const file = named(entry, 'a CSV file');
  const detail = entry.detail ?? {};
  return {
    start: { todo: md`import ${file}`, did: md`uploaded ${file} to import`, asked: md`uploaded ${file} to import` },
    check: { todo: md`check ${file}`, did: md`checked ${file}: ${count(detail.ready)} ready, ${count(detail.problems)} with problems` },
    confirm: { todo: md`import ${file}`, did: md`started importing ${file}`, asked: md`started importing ${file}` },
    cancel: same(md`cancel the import of ${file}`, md`cancelled the import of ${file}`),
    finish: {
      todo: md`finish importing ${file}`,
      did: md`imported ${file}: ${count(detail.created)} registered, ${count(detail.alreadyRegistered)} already there`,
      partly:
        detail.waiting === undefined
          ? md`imported ${file}: ${count(detail.created)} registered, ${count(detail.alreadyRegistered)} already there, ${count(detail.failed)} failed`
          : undefined,
    },
  };
};

const phrases: Record<string, PhraseOf> = {
  'endpoint.register': (entry) =>
    same(md`register ${phone(entry.detail?.number)} for ${subscriber(entry)}`, md`registered ${phone(entry.detail?.number)} for ${subscriber(entry)}`),
  'endpoint.remove': () => same(md`remove a phone endpoint`, md`removed a phone endpoint`),
  'subscriber.phone': (entry) =>
    same(
      md`set the phone of ${subscriber(entry)} to ${phone(entry.detail?.phone)}`,
      md`set the phone of ${subscriber(entry)} to ${phone(entry.detail?.phone)}`,
    ),
  'route.create': (entry) => {
    const { verb, past, who } = slackTarget(entry);
    return same(md`${verb} ${who} to ${subscriber(entry)}`, md`${past} ${who} to ${subscriber(entry)}`);
  },
  'route.remove': () => same(md`remove a Slack route`, md`removed a Slack route`),
  'route.link-request': (entry) => ({
    ...same(md`ask to be linked to ${subscriber(entry)}`, md`asked to be linked to ${subscriber(entry)}`),
    asked: md`asked to be linked to ${subscriber(entry)}`,
  }),
  'number.create': (entry) => {
    const number = entry.target ? md`the Vapi number ${code(entry.target)}` : md`a Vapi number`;
    return same(md`create ${number}`, md`created ${number}`);
  },
  'number.import': (entry) => same(md`import ${named(entry, 'a number')} into SignalWire`, md`imported ${named(entry, 'a number')} into SignalWire`),
  'number.change': (entry) => {
    const changed = Array.isArray(entry.detail?.changed) ? entry.detail.changed.filter((label): label is string => typeof label === 'string') : [];
    const what = changed.length ? md` (${changed.join(', ').toLowerCase()})` : '';
    return same(md`change ${named(entry, 'a number')}${what}`, md`changed ${named(entry, 'a number')}${what}`);
  },
  'number.release': (entry) => same(md`release ${named(entry, 'a number')}`, md`released ${named(entry, 'a number')}`),
  'number.report': (entry) => {
    const channel = text(entry.detail?.channel);
    const where = channel ? md` in ${mentionChannel(channel)}` : md``;
    return same(md`report the calls and texts of ${named(entry, 'a number')}${where}`, md`reported the calls and texts of ${named(entry, 'a number')}${where}`);
  },
  'number.activation': () => ({ by: 'Vapi', todo: md`activate a new number`, did: md`activated a new number` }),
  'numbers.request': (entry) => {
    const vendor = entry.backend === 'vapi' ? 'Vapi' : entry.backend === 'signalwire' ? 'SignalWire' : 'phone';
    const number = md`a ${vendor} number${entry.target ? md` (${code(entry.target)})` : ''}`;
    return { ...same(md`ask for ${number}`, md`asked for ${number}`), asked: md`asked an operator for ${number}` };
  },
  'numbers.request.approve': () => same(md`approve a request for a phone number`, md`approved a request for a phone number`),
  'numbers.request.deny': () => same(md`deny a request for a phone number`, md`denied a request for a phone number`),
  'numbers.request.expire': () => same(md`close a request for a phone number nobody answered`, md`closed a request for a phone number nobody answered in time`),
  'connection.delete': () => same(md`remove this workspace's Novu connection`, md`removed this workspace's Novu connection`),
  'connection.keep': () => same(md`keep the Novu connection after the uninstall`, md`kept the Novu connection after the uninstall`),
  'workspace.uninstall': () => same(md`be uninstalled from this workspace`, md`was uninstalled from this workspace`),
  'tenant.install': () => ({
    ...same(md`install Switchboard`, md`installed Switchboard`),
    asked: md`installed Switchboard, which waits for an operator's approval`,
  }),
  'tenant.approve': () => same(md`approve this workspace`, md`approved this workspace`),
  'tenant.deny': () => same(md`deny this workspace`, md`denied this workspace`),
  'delivery.check': () => same(md`check delivery`, md`checked delivery`),
  'delivery.fix': (entry) => same(md`fix ${named(entry, 'a route')}`, md`fixed ${named(entry, 'a route')}`),
  'delivery.move': () => same(md`move routes to the connection's new context`, md`moved routes to the connection's new context`),
  'delivery.test': (entry) =>
    same(md`test delivery to ${named(entry, 'a route')} through Novu`, md`tested delivery to ${named(entry, 'a route')} through Novu`),
  'job.retry': () => same(md`retry a failed write`, md`retried a failed write`),
};

function phraseOf(entry: AuditEntry): Phrase {
  const known = phrases[entry.action];
  if (known) return known(entry);
  const [area, step = ''] = [entry.action.slice(0, entry.action.lastIndexOf('.')), entry.action.slice(entry.action.lastIndexOf('.') + 1)];
  const reason = area === 'connection' ? connection[step] : undefined;
  if (reason) return same(md`${reason[0]}`, md`${reason[1]}`);
  if (area === 'phone.csv') return importSteps(entry)[step] ?? same(code(entry.action), code(entry.action));
  // A refusal by the policy is recorded under the policy's action.
  const described = (policyActions as Record<string, { describe: string } | undefined>)[entry.action as Action]?.describe;
  if (described) return same(md`${described}`, md`${described}`);
  return same(md`do ${code(entry.action)}`, md`did ${code(entry.action)}`);
}

/** The line's sentence, without ids or errors (those are `auditDetails`). */
export function auditSentence(entry: AuditEntry): Mrkdwn {
  const phrase = phraseOf(entry);
  const person = entry.userId && isUserId(entry.userId) ? mentionUser(entry.userId) : md`Switchboard`;
  const who = phrase.by ? md`${phrase.by}` : person;
  switch (entry.outcome) {
    case 'ok':
      return md`${who} ${phrase.did}.`;
    case 'queued':
      return md`${who} ${phrase.asked ?? phrase.did}.`;
    case 'failed':
      return phrase.partly ? md`${who} ${phrase.partly}.` : md`${who} could not ${phrase.todo}.`;
    case 'refused':
      return md`${person} was not allowed to ${phrase.todo}.`;
    case 'not-found':
      return md`${person} tried to ${phrase.todo}, but it was not there (removed already, or not this workspace's).`;
  }
}

/** The ids behind the sentence: the vendor and its id, and the error in the vendor's words. */
export function auditDetails(entry: AuditEntry): Mrkdwn | undefined {
  const parts: Mrkdwn[] = [];
  if (entry.backend && entry.backendId) parts.push(md`${entry.backend} ${code(entry.backendId)}`);
  // One line: a failure's details (the vendor's words) follow its sentence.
  if (entry.error) parts.push(md`${failureLine(entry.error)}`);
  return parts.length ? joinMd(parts, ' · ') : undefined;
}
