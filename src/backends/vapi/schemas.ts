import { z } from 'zod';

/** Vapi phone numbers as read back; a oneOf by provider upstream, read leniently here. */
export const vapiPhoneNumberSchema = z
  .object({
    id: z.string(),
    provider: z.string(),
    status: z.string().nullish(),
    number: z.string().nullish(),
    sipUri: z.string().nullish(),
    name: z.string().nullish(),
    assistantId: z.string().nullish(),
    squadId: z.string().nullish(),
    workflowId: z.string().nullish(),
    createdAt: z.string().nullish(),
    server: z.object({ url: z.string().nullish(), timeoutSeconds: z.number().nullish(), credentialId: z.string().nullish() }).loose().nullish(),
    fallbackDestination: z.object({ type: z.string() }).loose().nullish(),
    hooks: z.array(z.object({ on: z.string() }).loose()).nullish(),
    authentication: z.object({ username: z.string().nullish(), realm: z.string().nullish() }).loose().nullish(),
  })
  .loose();
export type VapiPhoneNumber = z.infer<typeof vapiPhoneNumberSchema>;

/** PaginationMeta: `currentPage`, `itemsPerPage` and `totalItems` always; `totalPages` and `hasNextPage` when Vapi gives them. */
const paginationMetaSchema = z
  .object({
    currentPage: z.number().nullish(),
    itemsPerPage: z.number().nullish(),
    totalItems: z.number().nullish(),
    totalPages: z.number().nullish(),
    hasNextPage: z.boolean().nullish(),
  })
  .loose();
export const vapiPhoneNumberPageSchema = z.object({ results: z.array(vapiPhoneNumberSchema), metadata: paginationMetaSchema.nullish() }).loose();

const namedSchema = z.object({ id: z.string(), name: z.string().nullish(), createdAt: z.string().nullish() }).loose();
export const namedListSchema = z.array(namedSchema);
export type VapiNamed = z.infer<typeof namedSchema>;

/** CreateVapiPhoneNumberDTO: a free US number (area code) or a SIP URI, answered by one of assistant/squad/workflow. */
export interface CreateVapiPhoneNumberBody {
  provider: 'vapi';
  name: string;
  numberDesiredAreaCode?: string;
  sipUri?: string;
  authentication?: { username: string; password: string; realm?: string };
  assistantId?: string;
  squadId?: string;
  workflowId?: string;
  server?: VapiServer;
  fallbackDestination?: VapiFallbackDestination;
  hooks?: VapiPhoneNumberHook[];
}

/** TransferDestinationNumber or TransferDestinationSip: where Vapi transfers a call (a fallback, or a hook's transfer). */
export type VapiFallbackDestination =
  | { type: 'number'; number: string; extension?: string; message?: string }
  | { type: 'sip'; sipUri: string; message?: string };

/**
 * PhoneNumberHookCallRinging (`do` is a list; Vapi runs only the first) and PhoneNumberHookCallEnding
 * (`do` is one action), each with a transfer or a say action.
 */
export type VapiHookAction = { type: 'transfer'; destination: VapiFallbackDestination } | { type: 'say'; exact: string };
export type VapiPhoneNumberHook = { on: 'call.ringing'; do: VapiHookAction[] } | { on: 'call.ending'; do: VapiHookAction };

/**
 * UpdateVapiPhoneNumberDTO, tagged with `provider` as the spec's discriminated request body and the
 * SDK (`UpdatePhoneNumbersRequestBody`) have it. Only the fields that change are sent; `null` clears
 * an answerer (docs.vapi.ai/advanced/calls/sip sends `assistantId: null`).
 */
export interface UpdateVapiPhoneNumberBody {
  provider: 'vapi';
  assistantId?: string | null;
  squadId?: string | null;
  workflowId?: string | null;
  server?: VapiServer;
  fallbackDestination?: VapiFallbackDestination;
  hooks?: VapiPhoneNumberHook[];
}

/** Where Vapi sends a number's webhooks, and the credential it authenticates them with. */
export interface VapiServer {
  url: string;
  timeoutSeconds?: number;
  credentialId?: string;
}

/**
 * CreateWebhookCredentialDTO with a bearer plan: Vapi then sends `Authorization: Bearer <token>`
 * with each request to a server that names the credential (docs.vapi.ai "Server authentication").
 */
export interface CreateBearerCredentialBody {
  provider: 'webhook';
  name: string;
  authenticationPlan: { type: 'bearer'; token: string };
}

export const vapiCredentialSchema = z.object({ id: z.string() }).loose();
