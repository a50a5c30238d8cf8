import { useState } from 'preact/hooks';
import { api, errorText, type Session, session } from '../api.js';

/** Signs in with an API key pair: the server answers with a session cookie and its CSRF token. */
export function SignIn({ notice }: { notice: string | null }) {
  const [keyId, setKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(notice);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api<Session>('/api/session', {
        method: 'POST',
        headers: { 'sb-api-key-id': keyId.trim(), 'sb-api-secret-key': secret.trim() },
      });
      session.value = await refreshSession(created);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="sign-in">
      <form class="sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <div class="brand brand-large" aria-hidden="true">
          <Logo />
        </div>
        <h1 id="sign-in-title">Sign in to Tapback</h1>
        <p class="muted">
          Use an API key pair of your account, or open the sign-in link the server printed when it started.
        </p>
        <label for="key-id">Key ID</label>
        <input
          id="key-id"
          name="key-id"
          autocomplete="username"
          required
          value={keyId}
          onInput={(e) => setKeyId(e.currentTarget.value)}
        />
        <label for="secret">Secret</label>
        <input
          id="secret"
          name="secret"
          type="password"
          autocomplete="current-password"
          required
          value={secret}
          onInput={(e) => setSecret(e.currentTarget.value)}
        />
        {error !== null && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

/** The session with the server's facts (`GET /api/session`), keeping the token the sign-in answered. */
export async function refreshSession(created: Session): Promise<Session> {
  try {
    return { ...created, ...(await api<Session>('/api/session')) };
  } catch {
    return created;
  }
}

export function Logo() {
  return (
    <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
      <rect width="32" height="32" rx="8" fill="var(--imessage)" />
      <path d="M9 10.5h14a3 3 0 0 1 3 3v5a3 3 0 0 1-3 3h-7l-5 4v-4H9a3 3 0 0 1-3-3v-5a3 3 0 0 1 3-3z" fill="#fff" />
    </svg>
  );
}
