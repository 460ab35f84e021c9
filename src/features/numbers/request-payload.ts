import { z } from 'zod';
import { signalWireCapabilities } from '../../backends/signalwire/schemas.js';
import type { CreateVapiPhoneNumberBody } from '../../backends/vapi/schemas.js';
import { submissionIntent } from '../../slack/view-state.js';
import type { NumberBackend, NumberRequest } from '../../store/types.js';
import { changeTargetSchema } from './change-form.js';
import { numberSettingsSchema } from './change-model.js';
import type { SignalWirePayload, VapiPayload } from './provision-jobs.js';

/**
 * What a request for a number stores: the exact body the provisioning job will send, with the SIP
 * password sealed to the request (`sip:<intent>`, as the job unseals it). Read back through zod:
 * the store is a boundary like any other.
 */
export type RequestedNumber =
  | { backend: 'vapi'; body: VapiPayload['body']; report?: ReportChoice; change?: undefined }
  | { backend: 'signalwire'; body: SignalWirePayload['body']; name?: string; report?: ReportChoice; change?: undefined }
  | { backend: NumberBackend; change: RequestedChange; body?: undefined; name?: undefined };

/** Where the number's calls and texts are to be reported once it exists (checked to be the asker's workspace's channel when asked). */
type ReportChoice = { channelId: string };
const reportChoice = z.object({ channelId: z.string() }).optional();

/** A change in place, asked for: the number, its settings before and after (the job's request and lines are made from them). */
export type RequestedChange = z.infer<typeof storedChange>['change'];

const sealedVapiBody = z
  .object({
    provider: z.literal('vapi'),
    name: z.string(),
    numberDesiredAreaCode: z.string().optional(),
    sipUri: z.string().optional(),
    authentication: z.object({ username: z.string(), sealedPassword: z.string(), realm: z.string().optional() }).strict().optional(),
    assistantId: z.string().optional(),
    squadId: z.string().optional(),
    workflowId: z.string().optional(),
    server: z.object({ url: z.string(), timeoutSeconds: z.number().optional() }).optional(),
    fallbackDestination: z
      .object({ type: z.enum(['number', 'sip']) })
      .loose()
      .optional(),
    hooks: z.array(z.object({ on: z.string() }).loose()).optional(),
  })
  .loose();

const importBody = z.object({
  number: z.string(),
  number_type: z.enum(['longcode', 'tollfree']),
  capabilities: z.array(z.enum(signalWireCapabilities as [string, ...string[]])).transform((list) => list as SignalWirePayload['body']['capabilities']),
});

const storedVapi = z.object({ body: sealedVapiBody, report: reportChoice });
const storedImport = z.object({ body: importBody, name: z.string().optional(), report: reportChoice });
const storedChange = z.object({ change: changeTargetSchema.extend({ before: numberSettingsSchema, after: numberSettingsSchema }) });

/** The job intent of a request: binds its sealed password, and keys its one job. */
export function requestIntent(requestId: string): string {
  return `numbers.request:${requestId}`;
}

/**
 * The intent of a `/phone sip` submission, as a request's `submission` or a provisioning job's
 * dedupe key: the SIP password is left out (the username kept), since these keys are stored as
 * unsalted digests. The same form sent again with another password finds the first submission.
 */
export function sipSubmissionIntent(viewId: string, body: CreateVapiPhoneNumberBody): string {
  const { authentication, ...rest } = body;
  return submissionIntent(viewId, authentication ? { ...rest, authentication: { username: authentication.username } } : rest);
}

/** What goes into the store's `payload` (the backend has a column of its own). */
export function storedPayload({ backend: _, ...payload }: RequestedNumber): unknown {
  return payload;
}

export function readRequestedNumber(request: Pick<NumberRequest, 'backend' | 'payload' | 'id'>): RequestedNumber {
  if (request.payload && typeof request.payload === 'object' && 'change' in request.payload) {
    const change = storedChange.safeParse(request.payload);
    if (change.success && change.data.change.backend === request.backend) return { backend: request.backend, change: change.data.change };
    throw new Error(`Number request ${request.id} holds a payload Switchboard cannot read`);
  }
  const parsed = (request.backend === 'vapi' ? storedVapi : storedImport).safeParse(request.payload);
  if (!parsed.success) throw new Error(`Number request ${request.id} holds a payload Switchboard cannot read`);
  return { backend: request.backend, ...parsed.data } as RequestedNumber;
}
