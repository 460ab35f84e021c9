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
    server: z.object({ url: z.string().nullish(), credentialId: z.string().nullish() }).loose().nullish(),
    createdAt: z.string().nullish(),
  })
  .loose();
export type VapiPhoneNumber = z.infer<typeof vapiPhoneNumberSchema>;

export const vapiPhoneNumberListSchema = z.array(vapiPhoneNumberSchema);
export const vapiPhoneNumberPageSchema = z.object({ results: z.array(vapiPhoneNumberSchema) }).loose();

const namedSchema = z.object({ id: z.string(), name: z.string().nullish() }).loose();
export const namedListSchema = z.array(namedSchema);
export type VapiNamed = z.infer<typeof namedSchema>;

/** CreateVapiPhoneNumberDTO: a free US number (area code) or a SIP URI, answered by one of assistant/squad/workflow. */
export interface CreateVapiPhoneNumberBody {
  provider: 'vapi';
  name: string;
  numberDesiredAreaCode?: string;
  sipUri?: string;
  authentication?: { username: string; password: string };
  assistantId?: string;
  squadId?: string;
  workflowId?: string;
  server?: VapiServer;
  fallbackDestination?: { type: 'number'; number: string };
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
