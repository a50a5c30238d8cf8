import { Type } from 'typebox';
import { SERVICES, type Service } from '../../domain/message.js';
import { CONTACT_ORDER_BY_VALUES } from '../../messaging/contacts.js';
import { Nullable, StringEnum } from './schema-helpers.js';

const phone = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, description, examples: ['+19998887777'] });

export const OptOutBodySchema = Type.Object({
  number: phone('The contact, E.164'),
  opted_out: Type.Optional(Type.Boolean({ description: 'true (the default) opts out; false opts back in' })),
});

export const OptOutResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  number: Type.String(),
  opted_out: Type.Boolean(),
});

export const EvaluateServiceQuerySchema = Type.Object({ number: phone('The number to look up, E.164') });

export const EvaluateServiceResponseSchema = Type.Object({
  number: Type.String(),
  service: StringEnum(SERVICES),
});

export const TypingBodySchema = Type.Object({
  number: phone('The contact, E.164'),
  from_number: phone('One of your lines, E.164'),
  state: Type.Optional(StringEnum(['start', 'stop'] as const, { description: 'Default start' })),
  max_duration_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
});

export const TypingResponseSchema = Type.Object({
  number: Type.String(),
  status: StringEnum(['SENT', 'ERROR'] as const),
  error_message: Nullable(Type.String()),
});

export const SettingsBodySchema = Type.Object({
  help_reply: Nullable(
    Type.String({ maxLength: 1000, description: 'What HELP and INFO get; null or empty restores the default' }),
  ),
});

export const SettingsResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  help_reply: Type.String(),
  help_reply_is_default: Type.Boolean(),
});

const text = (maxLength: number, description: string) => Type.Optional(Type.String({ maxLength, description }));
const deprecated = (maxLength: number, preferred: string) =>
  Type.Optional(Type.String({ maxLength, description: `Deprecated spelling of \`${preferred}\``, deprecated: true }));
const TAGS = Type.Optional(
  Type.Array(Type.String({ maxLength: 128 }), { maxItems: 100, description: 'Replaces the contact’s tags' }),
);
const CUSTOM_VARIABLES = Type.Optional(
  Type.Record(Type.String({ minLength: 1, maxLength: 128 }), Type.String({ maxLength: 1024 }), {
    maxProperties: 100,
    description: 'Merged into the stored variables, key by key',
  }),
);

/** The fields create and update share, each with Sendblue's deprecated camelCase alias. */
const FIELDS = {
  first_name: text(256, 'First name'),
  firstName: deprecated(256, 'first_name'),
  last_name: text(256, 'Last name'),
  lastName: deprecated(256, 'last_name'),
  company_name: text(256, 'Company name'),
  companyName: deprecated(256, 'company_name'),
  assigned_to_email: text(320, 'Email of the assigned user'),
  assignedToEmail: deprecated(320, 'assigned_to_email'),
  sendblue_number: text(64, 'One of your lines, E.164 (`""` clears it)'),
  sendblueNumber: deprecated(64, 'sendblue_number'),
  tags: TAGS,
  custom_variables: CUSTOM_VARIABLES,
};

export const ContactSchema = Type.Object({
  contact_id: Type.String({ description: 'Immutable identity; a deleted and re-created contact gets a new one' }),
  phone: Type.String({ description: 'E.164' }),
  first_name: Type.String(),
  last_name: Type.String(),
  company_name: Type.String(),
  assigned_to_email: Type.String(),
  sendblue_number: Type.String({ description: 'The line to send with; "" when none was chosen' }),
  tags: Type.Array(Type.String()),
  custom_variables: Type.Record(Type.String(), Type.String()),
  opt_out: Type.Boolean({ description: 'The same state as STOP/START and the opt-out API' }),
  verified: Type.Boolean({ description: 'Whether the account holds an inbound message from the number' }),
  service: Type.Unsafe<Service | null>({
    type: ['string', 'null'],
    enum: [...SERVICES, null],
    description: 'The network last known to reach the number; null when not known',
  }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export const ContactCreateBodySchema = Type.Object({
  number: Type.Optional(phone('The contact, E.164 (required unless a deprecated alias is given)')),
  phone_number: Type.Optional(phone('Deprecated spelling of `number`')),
  phoneNumber: Type.Optional(phone('Deprecated spelling of `number`')),
  ...FIELDS,
  update_if_exists: Type.Optional(
    Type.Boolean({ description: 'Update a contact already saved instead of answering 409 `contact_exists`' }),
  ),
});

export const ContactUpdateBodySchema = Type.Object({
  ...FIELDS,
  opt_out: Type.Optional(Type.Boolean({ description: 'Opts the contact out (true) or back in (false)' })),
  optOut: Type.Optional(Type.Boolean({ description: 'Deprecated spelling of `opt_out`', deprecated: true })),
});

export const ContactParamsSchema = Type.Object({ phone_number: phone('The contact, E.164 (`+` may be sent as %2B)') });

export const ContactListQuerySchema = Type.Object({
  cid: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'A `contact_id`' })),
  created_at_gte: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'ISO-8601 date-time' })),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Default 100; values above 1000 are clamped' }),
  ),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  order_by: Type.Optional(
    StringEnum(CONTACT_ORDER_BY_VALUES as [string, ...string[]], { description: 'Default created_at' }),
  ),
  order_direction: Type.Optional(StringEnum(['asc', 'desc'] as const, { description: 'Default desc' })),
  phone_number: Type.Optional(phone('Exact number, E.164 (URL-encode `+` as %2B)')),
});

export const ContactResponseSchema = Type.Object({ status: Type.Literal('OK'), contact: ContactSchema });
export const ContactListResponseSchema = Type.Array(ContactSchema);
export const ContactCountResponseSchema = Type.Object({ count: Type.Integer() });
export const StatusOkSchema = Type.Object({ status: Type.Literal('OK') });

export const BulkCreateBodySchema = Type.Object({
  contacts: Type.Array(
    Type.Object({
      phone: phone('The contact, E.164'),
      first_name: FIELDS.first_name,
      last_name: FIELDS.last_name,
      company_name: FIELDS.company_name,
      tags: TAGS,
      custom_variables: CUSTOM_VARIABLES,
    }),
    { minItems: 1, maxItems: 1000 },
  ),
});

export const BulkCreateResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  contacts: Type.Array(ContactSchema),
});

export const BulkDeleteBodySchema = Type.Object({
  contact_ids: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
    minItems: 1,
    maxItems: 1000,
    description: 'Phone numbers (E.164) or `contact_id`s',
  }),
});

export const BulkDeleteResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  amount: Type.Integer({ description: 'How many contacts were deleted' }),
});

export const VerifyBodySchema = Type.Object({ number: phone('The contact, E.164') });
