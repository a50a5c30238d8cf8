import { useEffect } from 'preact/hooks';
import { onEvent, onReconnect } from '../live.js';
import { formatTime } from './ops-format.js';
import { lineStates, lineStatesError, loadLineStates } from './ops-line-state.js';
import './ops.css';

/**
 * For the shell: `isSandboxLine(line)` tells whether an open thread's line is a sandbox line, so
 * `<SandboxControls/>` belongs beside it. It reads a signal (the line state route's `provider`), so
 * calling it while rendering re-renders once the line states have loaded.
 */
export { isSandboxLine } from './ops-line-state.js';

/** Each line's provider, health state and last error, kept current by `line.status.changed` events. */
export function LinesView() {
  useEffect(() => {
    void loadLineStates();
    // The event carries the new status but not the last error: read the line states again.
    const offEvent = onEvent(['line.status.changed'], () => void loadLineStates());
    const offReconnect = onReconnect(() => void loadLineStates());
    return () => {
      offEvent();
      offReconnect();
    };
  }, []);

  const states = lineStates.value;
  return (
    <section class="ops-view" aria-labelledby="lines-heading">
      <h2 id="lines-heading">Lines</h2>
      {lineStatesError.value !== null && (
        <p class="ops-error" role="alert">
          Could not read the lines: {lineStatesError.value}
        </p>
      )}
      {states === null ? (
        <p class="ops-muted">Loading…</p>
      ) : states.length === 0 ? (
        <p class="ops-muted">This account has no lines.</p>
      ) : (
        <table class="ops-table" data-testid="lines-table">
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Provider</th>
              <th scope="col">Health</th>
              <th scope="col">Since</th>
              <th scope="col">Last error</th>
            </tr>
          </thead>
          <tbody>
            {states.map((s) => (
              <tr key={s.sendblue_number ?? ''} data-line={s.sendblue_number ?? ''} data-health={s.status}>
                <th scope="row" class="ops-mono">
                  {s.sendblue_number ?? '—'}
                </th>
                <td>{s.provider}</td>
                <td>
                  <span class={`ops-badge ops-health-${s.status.toLowerCase()}`}>{s.status}</span>
                </td>
                <td>{formatTime(s.status_changed_at)}</td>
                <td>
                  {s.last_error === null ? (
                    <span class="ops-muted">none</span>
                  ) : (
                    <>
                      <span class="ops-error-text">{s.last_error}</span>{' '}
                      <span class="ops-muted">({formatTime(s.last_error_at)})</span>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
