import { z } from 'zod';

/** A SignalWire phone number as read back. Responses spell toll-free `toll-free`; requests `tollfree`: accept both. */
export const signalWireNumberSchema = z
  .object({
    id: z.string(),
    number: z.string(),
    name: z.string().nullish(),
    capabilities: z.array(z.string()).nullish(),
    number_type: z
      .string()
      .nullish()
      .transform((value) => (value === 'toll-free' || value === 'tollfree' ? 'tollfree' : value === 'longcode' ? 'longcode' : value)),
    created_at: z.string().nullish(),
    country_code: z.string().nullish(),
  })
  .loose();
export type SignalWireNumber = z.infer<typeof signalWireNumberSchema>;

export const signalWireNumberPageSchema = z
  .object({
    data: z.array(signalWireNumberSchema),
    links: z.object({ next: z.string().nullish() }).loose().nullish(),
  })
  .loose();

export type SignalWireCapability = 'sms' | 'voice' | 'fax' | 'mms';
export const signalWireCapabilities: readonly SignalWireCapability[] = ['sms', 'voice', 'fax', 'mms'];

/** The import body; the schema forbids any other field. */
export interface ImportNumberBody {
  number: string;
  number_type: 'longcode' | 'tollfree';
  capabilities: SignalWireCapability[];
}
