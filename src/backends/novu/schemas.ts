import { z } from 'zod';

/**
 * Novu responses, read leniently: the live API redacts `auth` (`{hasAccessToken: true}`), several
 * fields are nullable, and newer servers add fields. Only what Switchboard uses is required.
 */
const nullableString = z.string().nullish();

/** What connections and endpoints both carry. */
const channelFields = {
  identifier: z.string(),
  integrationIdentifier: nullableString,
  providerId: nullableString,
  channel: nullableString,
  subscriberId: nullableString,
  contextKeys: z.array(z.string()).nullish(),
  createdAt: z.union([z.string(), z.number()]).nullish(),
  updatedAt: z.union([z.string(), z.number()]).nullish(),
};

/**
 * Connections are read without their `auth`: some Novu versions return the access token in clear
 * (novu-details.md, PR #11100), and nothing in Switchboard needs it back. Unknown keys are dropped.
 */
export const channelConnectionSchema = z.object({ ...channelFields, workspace: z.object({ id: z.string(), name: nullableString }).loose().nullish() }).strip();
export type ChannelConnection = z.infer<typeof channelConnectionSchema>;

export const channelEndpointSchema = z
  .object({ ...channelFields, type: z.string(), endpoint: z.record(z.string(), z.unknown()).nullish(), connectionIdentifier: nullableString })
  .loose();
export type ChannelEndpoint = z.infer<typeof channelEndpointSchema>;

const page = <T extends z.ZodType>(item: T) =>
  z
    .object({
      data: z.array(item),
      next: nullableString,
      previous: nullableString,
    })
    .loose();

export const endpointPageSchema = page(channelEndpointSchema);
export type EndpointPage = z.infer<typeof endpointPageSchema>;

export const integrationSchema = z
  .object({
    identifier: z.string(),
    name: z.string().nullish(),
    providerId: z.string(),
    channel: nullableString,
    active: z.boolean().nullish(),
    deleted: z.boolean().nullish(),
  })
  .loose();
export type Integration = z.infer<typeof integrationSchema>;
export const integrationListSchema = z.array(integrationSchema);

export const subscriberSchema = z
  .object({
    subscriberId: z.string(),
    email: z.string().nullish(),
    firstName: z.string().nullish(),
    phone: z.string().nullish(),
  })
  .loose();
export type Subscriber = z.infer<typeof subscriberSchema>;

export interface CreateSubscriberBody {
  subscriberId: string;
  firstName?: string;
  data?: Record<string, string>;
}

/** Context as Novu takes it: type → id (1–5 entries; ids `^[a-zA-Z0-9_-]{1,100}$`). */
export type NovuContext = Record<string, string>;

export interface CreateConnectionBody {
  identifier: string;
  integrationIdentifier: string;
  workspace: { id: string; name?: string };
  auth: ConnectionAuth;
  connectionMode: 'shared' | 'subscriber';
  context?: NovuContext;
  subscriberId?: string;
}

export interface ConnectionAuth {
  accessToken: string;
  refreshToken?: string;
  /** ISO 8601 */
  expiresAt?: string;
}

/** Novu's Create…EndpointDto: the fields every endpoint type shares, its type, and where it delivers. */
interface CreateEndpointFields<Type extends string, Endpoint> {
  identifier: string;
  subscriberId: string;
  integrationIdentifier: string;
  connectionIdentifier?: string;
  context?: NovuContext;
  type: Type;
  endpoint: Endpoint;
}

export type CreatePhoneEndpointBody = CreateEndpointFields<'phone', { phoneNumber: string }>;
/** Delivered by the connection's bot into a channel. */
export type CreateSlackChannelEndpointBody = CreateEndpointFields<'slack_channel', { channelId: string }>;
/** Delivered by the connection's bot as a direct message. */
export type CreateSlackUserEndpointBody = CreateEndpointFields<'slack_user', { userId: string }>;

export type CreateEndpointBody = CreatePhoneEndpointBody | CreateSlackChannelEndpointBody | CreateSlackUserEndpointBody;

export const subscriberPageSchema = page(subscriberSchema);

/** POST /v1/events/trigger (TriggerEventRequestDto), as Switchboard sends it. */
export interface TriggerBody {
  /** The workflow's trigger identifier (its workflowId). */
  name: string;
  to: string;
  payload: Record<string, string>;
  context?: NovuContext;
  transactionId: string;
  overrides?: { sms?: { integrationIdentifier: string } };
}

/** TriggerEventResponseDto: `processed` means queued for Novu's worker, not delivered. */
export const triggerResultSchema = z
  .object({
    acknowledged: z.boolean().nullish(),
    status: z.string(),
    transactionId: nullableString,
    error: z.array(z.string()).nullish(),
  })
  .loose();
export type TriggerResult = z.infer<typeof triggerResultSchema>;

/** WorkflowResponseDto: only what Switchboard reads. */
export const workflowSchema = z
  .object({
    workflowId: z.string(),
    active: z.boolean().nullish(),
    status: nullableString,
    steps: z.array(z.object({ type: nullableString }).loose()).nullish(),
  })
  .loose();
export type Workflow = z.infer<typeof workflowSchema>;

/** CreateWorkflowDto with chat or SMS steps whose body is the message. */
export interface CreateWorkflowBody {
  name: string;
  workflowId: string;
  description: string;
  active: true;
  steps: { name: string; type: 'chat' | 'sms'; controlValues: { body: string } }[];
}

/** ActivityNotificationExecutionDetailResponseDto: `raw` is JSON text (channel data, the provider's error). */
export const executionDetailSchema = z
  .object({ status: nullableString, detail: z.string(), raw: nullableString, providerId: nullableString, createdAt: nullableString })
  .loose();
export type ExecutionDetail = z.infer<typeof executionDetailSchema>;

/** ActivityNotificationResponseDto with its jobs: a job per step, its status, its execution details. */
export const activitySchema = z
  .object({
    transactionId: z.string(),
    jobs: z
      .array(
        z
          .object({
            type: z.string(),
            status: z.string(),
            providerId: nullableString,
            error: z.unknown().optional(),
            executionDetails: z.array(executionDetailSchema).nullish(),
          })
          .loose(),
      )
      .nullish(),
  })
  .loose();
export type Activity = z.infer<typeof activitySchema>;
export const activityPageSchema = z.object({ data: z.array(activitySchema) }).loose();

/** MessageResponseDto: status `sent`, `error` or `warning`, with Novu's error id and text. */
export const messageSchema = z
  .object({
    channel: nullableString,
    status: nullableString,
    errorId: nullableString,
    errorText: nullableString,
    phone: nullableString,
    providerId: nullableString,
    transactionId: nullableString,
  })
  .loose();
export type NovuMessage = z.infer<typeof messageSchema>;
export const messagePageSchema = z.object({ data: z.array(messageSchema) }).loose();
