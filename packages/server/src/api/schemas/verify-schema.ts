import { Type } from 'typebox';
import { VERIFICATION_STATUSES, VERIFY_LIMITS } from '../../domain/verification.js';
import { Nullable, StringEnum } from './schema-helpers.js';

const { codeLength, ttlSeconds } = VERIFY_LIMITS;
const sid = (description: string) => Type.String({ minLength: 1, maxLength: 64, description });
const isoDate = (description: string) => Type.String({ description, examples: ['2030-01-01T12:00:00.000Z'] });

const serviceFields = {
  friendly_name: Type.String({
    minLength: 1,
    maxLength: VERIFY_LIMITS.friendlyNameMax,
    description: 'A name for the service (not shown to users)',
  }),
  code_length: Type.Integer({
    minimum: codeLength.min,
    maximum: codeLength.max,
    description: `Digits in each code; default ${codeLength.default}`,
  }),
  ttl_seconds: Type.Integer({
    minimum: ttlSeconds.min,
    maximum: ttlSeconds.max,
    description: `Seconds a verification stays pending; default ${ttlSeconds.default}`,
  }),
  use_customer_lines: Type.Boolean({
    description: 'Accepted for compatibility; every Tapback line is the account’s own',
  }),
};

export const ServiceCreateBodySchema = Type.Object({
  friendly_name: serviceFields.friendly_name,
  code_length: Type.Optional(serviceFields.code_length),
  ttl_seconds: Type.Optional(serviceFields.ttl_seconds),
  use_customer_lines: Type.Optional(serviceFields.use_customer_lines),
});

export const ServiceUpdateBodySchema = Type.Partial(Type.Object(serviceFields));

export const ServiceParamsSchema = Type.Object({ service_sid: sid('Verify Service SID (SV…)') });

export const VerificationParamsSchema = Type.Object({
  service_sid: sid('Verify Service SID (SV…)'),
  verification_sid: sid('Verification SID (VR…)'),
});

export const ServiceSchema = Type.Object({
  sid: Type.String(),
  account_sid: Type.String(),
  friendly_name: Type.String(),
  code_length: Type.Integer(),
  ttl_seconds: Type.Integer(),
  use_customer_lines: Type.Boolean(),
  date_created: isoDate('ISO-8601'),
  date_updated: isoDate('ISO-8601'),
  url: Type.String(),
});

const page = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Page size; values above 100 are clamped' }),
  ),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
};

export const ServiceListQuerySchema = Type.Object(page);

export const ServiceListResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  services: Type.Array(ServiceSchema),
  meta: Type.Object({
    key: Type.Literal('services'),
    count: Type.Integer({ description: 'Services of the account in all' }),
    limit: Type.Integer(),
    offset: Type.Integer(),
    has_more: Type.Boolean(),
  }),
});

export const VerificationCreateBodySchema = Type.Object({
  to: Type.String({ minLength: 1, maxLength: 64, description: 'E.164 number that must text the code' }),
  hosted: Type.Optional(Type.Unknown({ description: 'Hosted widget options: not supported, a 400' })),
});

/** Twilio's way to cancel: `Status=canceled` (or `status`). */
export const VerificationUpdateBodySchema = Type.Object({
  status: Type.Optional(StringEnum(['canceled'] as const)),
  Status: Type.Optional(StringEnum(['canceled'] as const)),
});

const DeliveryTargetSchema = Type.Object({
  code: Type.String({ description: 'What the user texts' }),
  pool_number: Type.String({ description: 'The line the user texts it to' }),
  sms_deep_link: Type.String({ description: 'sms: link with both filled in' }),
});

const stateFields = {
  sid: Type.String(),
  service_sid: Type.String(),
  account_sid: Type.String(),
  to: Nullable(Type.String()),
  channel: Type.Literal('imessage'),
  status: StringEnum(VERIFICATION_STATUSES),
  date_created: isoDate('ISO-8601'),
  date_updated: isoDate('ISO-8601: when the status last changed'),
  date_completed: Nullable(Type.String({ description: 'ISO-8601: when it left pending' })),
  expires_at: isoDate('ISO-8601'),
  url: Type.String(),
};

export const VerificationSchema = Type.Object({
  ...stateFields,
  delivery_target: Type.Optional(DeliveryTargetSchema),
});

export const VerificationListQuerySchema = Type.Object({
  ...page,
  updated_at_gte: Type.Optional(
    Type.String({ minLength: 1, maxLength: 64, description: 'ISO-8601: only those changed at or after it' }),
  ),
});

export const VerificationListResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  data: Type.Array(Type.Object(stateFields)),
  pagination: Type.Object({
    count: Type.Integer({ description: 'Verifications matching the filter in all' }),
    has_more: Type.Boolean(),
    limit: Type.Integer(),
    offset: Type.Integer(),
  }),
});
