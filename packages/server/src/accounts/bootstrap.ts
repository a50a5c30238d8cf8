import type { AccountsPort } from '../store/ports/accounts-port.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import { createKeyPair, digestSecret } from './credentials.js';

export const BOOTSTRAP_EMAIL = 'dev@tapback.local';
export const DEFAULT_BOOTSTRAP_LINE = '+15550001000';

export interface BootstrapInput {
  apiKeyId?: string;
  apiSecret?: string;
  line?: string;
  /** False when the sandbox network is off: the bootstrap line is a sandbox line, so none is made. */
  sandbox?: boolean;
  /** The server clock's time, stamped on what the bootstrap creates. */
  now: number;
}

export interface BootstrapResult {
  /** Whether the account was created by this start. */
  created: boolean;
  email: string;
  keyId: string | null;
  /**
   * Only when this start generated it, so that it is shown once: a secret fixed by configuration
   * is already known to whoever set it, and printing it on every start would put it in every log.
   */
  secret: string | null;
  line: string | null;
}

/**
 * First-start setup. On an empty database: one account, one key pair and one sandbox line. When
 * the TAPBACK_BOOTSTRAP_* settings are given, the bootstrap account's key and line are made to
 * match them on every start, so CI can use fixed credentials against a fresh or reused database.
 */
export async function bootstrap(store: AccountsPort & LinesPort, input: BootstrapInput): Promise<BootstrapResult> {
  const accounts = await store.listAccounts();
  let account = await store.findAccountByEmail(BOOTSTRAP_EMAIL);
  const fixed = input.apiKeyId !== undefined || input.apiSecret !== undefined || input.line !== undefined;
  if (accounts.length > 0 && (account === undefined || !fixed)) {
    return { created: false, email: account?.email ?? accounts[0]!.email, keyId: null, secret: null, line: null };
  }
  const created = account === undefined;
  account ??= await store.createAccount({ email: BOOTSTRAP_EMAIL, now: input.now });

  let keyId: string | null = null;
  let secret: string | null = null;
  if (input.apiKeyId !== undefined && input.apiSecret !== undefined) {
    const existing = await store.findApiKey(input.apiKeyId);
    if (existing === undefined) {
      await createKeyPair(store, account.id, input.now, {
        keyId: input.apiKeyId,
        secret: input.apiSecret,
        label: 'bootstrap',
      });
    } else if (existing.accountId !== account.id || existing.secretDigest !== digestSecret(input.apiSecret)) {
      throw new Error(
        'TAPBACK_BOOTSTRAP_API_KEY_ID names an existing key with another secret or account; revoke it or choose another id',
      );
    }
    keyId = input.apiKeyId;
  } else if (created) {
    const pair = await createKeyPair(store, account.id, input.now, { label: 'bootstrap' });
    keyId = pair.key.keyId;
    secret = pair.secret;
  }

  const lineNumber = input.sandbox === false ? null : (input.line ?? (created ? DEFAULT_BOOTSTRAP_LINE : null));
  if (lineNumber !== null) {
    const line = await store.findLine(lineNumber);
    if (line === undefined)
      await store.addLine({ accountId: account.id, number: lineNumber, provider: 'sandbox', now: input.now });
    else if (line.accountId !== account.id) {
      throw new Error(`TAPBACK_BOOTSTRAP_LINE ${lineNumber} already belongs to ${line.accountEmail}`);
    }
  }
  return { created, email: account.email, keyId, secret, line: lineNumber };
}
