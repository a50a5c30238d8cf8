import { Type } from 'typebox';
import { TOTP_ALGORITHMS, TOTP_LIMITS } from '../../domain/totp-secret.js';
import { Nullable, StringEnum } from './schema-helpers.js';

const { period } = TOTP_LIMITS;

export const TotpSecretCreateBodySchema = Type.Object({
  uri: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'An otpauth://totp/ URI (from a QR code); overrides every other field',
    }),
  ),
  secret: Type.Optional(
    Type.String({ minLength: 1, maxLength: 512, description: 'Base32 secret; omit to generate one (160 bits)' }),
  ),
  label: Type.Optional(Type.String({ maxLength: TOTP_LIMITS.labelMax, description: 'Required unless uri is given' })),
  issuer: Type.Optional(Type.String({ maxLength: TOTP_LIMITS.labelMax })),
  algorithm: Type.Optional(StringEnum(TOTP_ALGORITHMS, { description: 'Default SHA1' })),
  digits: Type.Optional(Type.Union([Type.Literal(6), Type.Literal(8)], { description: 'Default 6' })),
  period: Type.Optional(
    Type.Integer({ minimum: period.min, maximum: period.max, description: `Seconds; default ${period.default}` }),
  ),
});

export const TotpSecretParamsSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, description: 'The secret’s id (a UUID)' }),
});

const infoFields = {
  id: Type.String(),
  label: Type.String(),
  issuer: Nullable(Type.String()),
  algorithm: StringEnum(TOTP_ALGORITHMS),
  digits: Type.Integer(),
  period: Type.Integer(),
  created_at: Type.String({ description: 'ISO-8601' }),
};

export const TotpSecretCreateResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  totp_secret: Type.Object({
    ...infoFields,
    secret: Type.String({ description: 'Base32; returned only here, never again' }),
  }),
});

export const TotpSecretListResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  totp_secrets: Type.Array(Type.Object(infoFields)),
});

export const TotpOkResponseSchema = Type.Object({ status: Type.Literal('OK') });

export const TotpCodeResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  code: Type.String({ description: 'The current code' }),
  expires_in: Type.Integer({ description: 'Seconds until it rotates' }),
});
