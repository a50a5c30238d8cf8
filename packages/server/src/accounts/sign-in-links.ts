import type { Clock } from '../domain/clock.js';
import { SIGN_IN_CODE_TTL_MS } from '../domain/inbox-session.js';
import { randomToken } from '../domain/ids.js';
import type { AccountsPort } from '../store/ports/accounts-port.js';
import type { SessionsPort } from '../store/ports/sessions-port.js';
import { digestSecret } from './credentials.js';

/** A minted one-time sign-in code, for the link `<base>/inbox/#sign-in=<code>`. */
export interface SignInCode {
  code: string;
  email: string;
  expiresAt: number;
}

/** Why no code could be minted, said to whoever asked (the CLI, the start banner). */
export type SignInRefusal = { refused: 'no_account' } | { refused: 'no_key'; email: string };

/**
 * One-time sign-in codes: 256 random bits, stored only as a SHA-256 digest, exchangeable once
 * within 15 minutes (`POST /api/session/link`). The session a code opens acts as the account's
 * newest live key pair, and ends when that key is revoked, as a session opened with the key would:
 * an account without a live key cannot be signed in to.
 */
export class SignInLinks {
  constructor(private readonly deps: { store: SessionsPort & AccountsPort; clock: Clock }) {}

  async mint(email: string): Promise<SignInCode | SignInRefusal> {
    const account = await this.deps.store.findAccountByEmail(email);
    if (account === undefined) return { refused: 'no_account' };
    const keys = (await this.deps.store.listApiKeys(account.id)).filter((k) => k.revokedAt === null);
    const key = keys.sort((x, y) => y.createdAt - x.createdAt)[0];
    if (key === undefined) return { refused: 'no_key', email: account.email };
    const code = randomToken(32);
    const now = this.deps.clock.now();
    const expiresAt = now + SIGN_IN_CODE_TTL_MS;
    await this.deps.store.createSignInCode({
      digest: digestSecret(code),
      accountId: account.id,
      keyId: key.keyId,
      now,
      expiresAt,
    });
    return { code, email: account.email, expiresAt };
  }
}

/** The inbox URL that signs in with `code`: the code rides in the fragment, which browsers never send. */
export function signInUrl(baseUrl: string, code: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/inbox/#sign-in=${code}`;
}
