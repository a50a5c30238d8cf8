// One autocannon run, reduced to the figures the reports use.
import autocannon from 'autocannon';

export async function load({ url, method = 'GET', headers = {}, body, connections = 50, durationS = 10, requests }) {
  const result = await autocannon({
    url,
    method,
    headers,
    body,
    connections,
    duration: durationS,
    ...(requests ? { requests } : {}),
  });
  return {
    requestsPerSec: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
