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
    e911_address_id: z.string().nullish(),
    next_billed_at: z.string().nullish(),
    call_handler: z.string().nullish(),
    call_request_url: z.string().nullish(),
    call_relay_script_url: z.string().nullish(),
    call_relay_application: z.string().nullish(),
    call_relay_topic: z.string().nullish(),
    call_relay_context: z.string().nullish(),
    call_laml_application_id: z.string().nullish(),
    message_handler: z.string().nullish(),
    message_request_url: z.string().nullish(),
    message_relay_application: z.string().nullish(),
    message_relay_topic: z.string().nullish(),
    message_relay_context: z.string().nullish(),
    message_laml_application_id: z.string().nullish(),
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

/** The call handlers a phone number update accepts (UpdatePhoneNumberRequest's enum, without the Fabric-only ones), each with the field that says where. */
export const signalWireCallHandlers = {
  laml_webhooks: 'call_request_url',
  relay_script: 'call_relay_script_url',
  relay_application: 'call_relay_application',
  relay_topic: 'call_relay_topic',
  relay_context: 'call_relay_context',
  laml_application: 'call_laml_application_id',
} as const;
export type SignalWireCallHandler = keyof typeof signalWireCallHandlers;

/** The message handlers (PhoneNumberMessageHandler), each with the field that says where. */
export const signalWireMessageHandlers = {
  laml_webhooks: 'message_request_url',
  relay_application: 'message_relay_application',
  relay_topic: 'message_relay_topic',
  relay_context: 'message_relay_context',
  laml_application: 'message_laml_application_id',
} as const;
export type SignalWireMessageHandler = keyof typeof signalWireMessageHandlers;

/** The handler fields of UpdatePhoneNumberRequest that Switchboard changes; PUT sets only the fields sent. */
export type SignalWireHandlerBody = Partial<
  Record<
    'call_handler' | 'message_handler' | (typeof signalWireCallHandlers)[SignalWireCallHandler] | (typeof signalWireMessageHandlers)[SignalWireMessageHandler],
    string
  >
>;
