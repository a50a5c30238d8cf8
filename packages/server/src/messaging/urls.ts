import { AppError } from '../domain/errors.js';

const MAX_URL_LENGTH = 2048;

/**
 * Syntax checks for URLs a client hands us (media, status callbacks): absolute http(s), no
 * credentials, sane length. Where the URL may point (the SSRF guard on the connected address)
 * is checked again at connection time by whatever fetches it.
 */
export function checkPublicUrl(raw: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(field, 'is not an absolute URL');
  }
  if (raw.length > MAX_URL_LENGTH) throw invalid(field, `is longer than ${MAX_URL_LENGTH} characters`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(field, 'must use http or https');
  if (url.username !== '' || url.password !== '') throw invalid(field, 'must not contain credentials');
  return url;
}

function invalid(field: string, problem: string): AppError {
  return new AppError('validation_failed', `${field} ${problem}`, { details: [{ field, message: problem }] });
}
