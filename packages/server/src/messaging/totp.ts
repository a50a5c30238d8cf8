import { randomUUID } from 'node:crypto';
import { Secret, TOTP, URI } from 'otpauth';
import type { Clock } from '../domain/clock.js';
import { errors } from '../domain/errors.js';
import {
  TOTP_ALGORITHMS,
  TOTP_DIGITS,
  TOTP_LIMITS,
  type TotpAlgorithm,
  type TotpSecret,
  type TotpSecretInfo,
} from '../domain/totp-secret.js';
import type { TotpPort } from '../store/ports/totp-port.js';
import type { Caller } from './caller.js';

export interface TotpSecretInput {
  uri?: string;
  secret?: string;
  label?: string;
  issuer?: string;
  algorithm?: TotpAlgorithm;
  digits?: number;
  period?: number;
}

export interface TotpCode {
  code: string;
  /** Whole seconds until the code rotates (1..period). */
  expiresIn: number;
}

/**
 * TOTP secrets for agents: stored sealed, and turned into the current RFC 6238 code on the
 * server's clock (so a manual clock moves codes too).
 */
export class TotpOperations {
  constructor(private readonly deps: { store: TotpPort; clock: Clock }) {}

  /** From an `otpauth://totp/` URI (which overrides every other field) or from the fields. */
  async create(caller: Caller, input: TotpSecretInput): Promise<TotpSecret> {
    const fields = input.uri === undefined ? fromFields(input) : fromUri(input.uri);
    const secret: TotpSecret = {
      ...fields,
      id: randomUUID(),
      accountId: caller.accountId,
      createdAt: this.deps.clock.now(),
    };
    await this.deps.store.createTotpSecret(secret);
    return secret;
  }

  list(caller: Caller): Promise<TotpSecretInfo[]> {
    return this.deps.store.listTotpSecrets(caller.accountId);
  }

  async remove(caller: Caller, id: string): Promise<void> {
    if (!(await this.deps.store.deleteTotpSecret(caller.accountId, id))) throw errors.notFound('TOTP secret');
  }

  async code(caller: Caller, id: string): Promise<TotpCode> {
    const s = await this.deps.store.getTotpSecret(caller.accountId, id);
    if (s === undefined) throw errors.notFound('TOTP secret');
    const now = this.deps.clock.now();
    const totp = new TOTP({
      secret: Secret.fromBase32(s.secret),
      algorithm: s.algorithm,
      digits: s.digits,
      period: s.period,
    });
    return { code: totp.generate({ timestamp: now }), expiresIn: s.period - (Math.floor(now / 1000) % s.period) };
  }
}

type SecretFields = Omit<TotpSecret, 'id' | 'accountId' | 'createdAt'>;

function fromFields(input: TotpSecretInput): SecretFields {
  const label = (input.label ?? '').trim();
  if (label === '') throw errors.validation('label', 'is required unless uri is given');
  const issuer = input.issuer?.trim();
  return {
    label,
    issuer: issuer === undefined || issuer === '' ? null : issuer,
    algorithm: input.algorithm ?? 'SHA1',
    digits: input.digits ?? 6,
    period: input.period ?? TOTP_LIMITS.period.default,
    secret:
      input.secret === undefined
        ? new Secret({ size: TOTP_LIMITS.generatedSecretBytes }).base32
        : base32Secret(input.secret, 'secret'),
  };
}

function fromUri(raw: string): SecretFields {
  let parsed: ReturnType<typeof URI.parse>;
  try {
    parsed = URI.parse(raw);
  } catch (error) {
    throw errors.validation('uri', `is not a valid otpauth:// URI (${(error as Error).message})`);
  }
  if (!(parsed instanceof TOTP)) throw errors.validation('uri', 'must be an otpauth://totp/ URI, not hotp');
  const algorithm = parsed.algorithm.toUpperCase();
  if (!(TOTP_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw errors.validation('uri', `uses algorithm ${parsed.algorithm}; one of ${TOTP_ALGORITHMS.join(', ')}`);
  }
  if (!(TOTP_DIGITS as readonly number[]).includes(parsed.digits)) {
    throw errors.validation('uri', `has ${parsed.digits} digits; 6 or 8 are supported`);
  }
  const { min, max } = TOTP_LIMITS.period;
  if (parsed.period < min || parsed.period > max) {
    throw errors.validation('uri', `has period ${parsed.period}; it must be ${min} to ${max} seconds`);
  }
  const label = parsed.label.trim();
  if (label === '') throw errors.validation('uri', 'has no label');
  return {
    label,
    issuer: parsed.issuer === '' ? null : parsed.issuer,
    algorithm: algorithm as TotpAlgorithm,
    digits: parsed.digits,
    period: parsed.period,
    secret: base32Secret(parsed.secret.base32, 'uri'),
  };
}

/** Normalised (upper case, no spaces or padding) and long enough to be a real key. */
function base32Secret(raw: string, field: string): string {
  const text = raw.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  if (!/^[A-Z2-7]+$/.test(text)) throw errors.validation(field, 'must be a base32 secret (A-Z, 2-7)');
  const bytes = Math.floor((text.length * 5) / 8);
  if (bytes < TOTP_LIMITS.minSecretBytes) {
    throw errors.validation(field, `is ${bytes} bytes; a secret has at least ${TOTP_LIMITS.minSecretBytes}`);
  }
  return text;
}
