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
  authentication?: { username: string; password: string };
  assistantId?: string;
  squadId?: string;
  workflowId?: string;
  server?: { url: string; timeoutSeconds?: number };
  fallbackDestination?: { type: 'number'; number: string };
}
