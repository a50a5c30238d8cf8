import { randomUUID } from 'node:crypto';
import { type AuthToken, TOKEN_TTL_SECONDS } from '../domain/auth-token.js';
import type { Clock } from '../domain/clock.js';
import { errors } from '../domain/errors.js';
import { randomToken } from '../domain/ids.js';
import { parsePhone } from '../domain/phone.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { TokensPort } from '../store/ports/tokens-port.js';
import { digestSecret } from './credentials.js';

/** Who mints or revokes: an account authenticated with a key pair (never with a token). */
export interface TokenIssuer {
  accountId: number;
  keyId: string;
  tokenId?: string;
}

export interface MintTokenInput {
  expires_in_seconds?: number;
  phone_number?: string;
  phone_numbers?: string[];
}

/** POST /v3/auth/tokens's answer: the token itself, shown this once. */
export interface MintedToken {
  token: string;
  token_id: string;
  token_type: 'Bearer';
  expires_at: string;
  phone_numbers: string[];
}

/** Tokens are `tbk_` and 256 random bits: the prefix lets secret scanners recognise a leaked one. */
const TOKEN_PREFIX = 'tbk_';

/**
 * Temporary bearer tokens. A token acts as the account (or, scoped, through some of its lines)
 * until it expires or is revoked, or the key pair that minted it is revoked. Only key pairs mint
 * and revoke, as on Sendblue: a token cannot make itself immortal by minting its successor.
 */
export class TokenService {
  constructor(private readonly deps: { store: TokensPort & Pick<LinesPort, 'findLine'>; clock: Clock }) {}

  async mint(issuer: TokenIssuer, input: MintTokenInput): Promise<MintedToken> {
    if (issuer.tokenId !== undefined) throw errors.forbidden('mint tokens (use an API key pair)');
    const ttl = input.expires_in_seconds ?? TOKEN_TTL_SECONDS.default;
    if (!Number.isInteger(ttl) || ttl < TOKEN_TTL_SECONDS.min || ttl > TOKEN_TTL_SECONDS.max) {
      throw errors.validation(
        'expires_in_seconds',
        `must be a whole number of seconds from ${TOKEN_TTL_SECONDS.min} to ${TOKEN_TTL_SECONDS.max}`,
      );
    }
    const lines = await this.scope(issuer.accountId, input);
    const now = this.deps.clock.now();
    const token = TOKEN_PREFIX + randomToken(32);
    const created: AuthToken = await this.deps.store.createAuthToken({
      tokenId: randomUUID(),
      accountId: issuer.accountId,
      keyId: issuer.keyId,
      digest: digestSecret(token),
      phoneNumbers: lines,
      now,
      expiresAt: now + ttl * 1000,
    });
    return {
      token,
      token_id: created.tokenId,
      token_type: 'Bearer',
      expires_at: new Date(created.expiresAt).toISOString(),
      phone_numbers: [...created.phoneNumbers],
    };
  }

  /** Another account's token, or none of that id, is a 404. */
  async revoke(issuer: TokenIssuer, tokenId: string): Promise<void> {
    if (issuer.tokenId !== undefined) throw errors.forbidden('revoke tokens (use an API key pair)');
    if (!(await this.deps.store.revokeAuthToken(issuer.accountId, tokenId, this.deps.clock.now()))) {
      throw errors.notFound('Token');
    }
  }

  /** The lines a token is limited to, each one of the account's; [] for the whole account. */
  private async scope(accountId: number, input: MintTokenInput): Promise<string[]> {
    if (input.phone_number !== undefined && input.phone_numbers !== undefined) {
      throw errors.validation('phone_numbers', 'cannot be combined with phone_number');
    }
    const named =
      input.phone_number !== undefined
        ? [{ field: 'phone_number', raw: input.phone_number }]
        : (input.phone_numbers ?? []).map((raw, i) => ({ field: `phone_numbers[${i}]`, raw }));
    const lines: string[] = [];
    for (const { field, raw } of named) {
      const number = parsePhone(raw, field);
      const line = await this.deps.store.findLine(number);
      if (line === undefined || line.accountId !== accountId) throw errors.unknownLine(field, number);
      if (!lines.includes(number)) lines.push(number);
    }
    return lines;
  }
}
