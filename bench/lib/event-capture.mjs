// One send's events as a Tapback stream carries them: the `data:` JSON of each event for the
// message, read from a stream opened before the send, until `count` have arrived.
import { request } from 'node:http';
import { SEND_REQUEST, sendOnce } from './processes.mjs';

export function captureSendEvents(url, { count = 3, timeoutMs = 10_000 } = {}) {
  return new Promise((resolve, reject) => {
    const { 'sb-api-key-id': keyId, 'sb-api-secret-key': secret } = SEND_REQUEST.headers;
    const req = request(`${url}/api/v2/events`, { headers: { 'sb-api-key-id': keyId, 'sb-api-secret-key': secret } });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`fewer than ${count} events arrived in ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', reject);
    req.on('response', (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET /api/v2/events -> ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      let answer;
      const events = [];
      const maybeDone = () => {
        if (events.length < count || answer === undefined) return;
        clearTimeout(timer);
        req.destroy();
        resolve({ answer, events: events.slice(0, count) });
      };
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(': stream open')) {
            sendOnce(url).then((text) => {
              answer = text;
              maybeDone();
            }, reject);
            continue;
          }
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data !== undefined) events.push(JSON.parse(data.slice(6)));
          maybeDone();
        }
      });
    });
    req.end();
  });
}
