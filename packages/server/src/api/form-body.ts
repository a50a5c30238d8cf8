import { errors } from '../domain/errors.js';

/** Keys that would reach an object's prototype if code downstream ever copied the body naively. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses an `application/x-www-form-urlencoded` body the way JSON bodies are treated: a repeated
 * key becomes an array (which the schema then rejects), and prototype-polluting keys are a 400,
 * as they are in JSON.
 */
export function parseFormBody(text: string): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of new URLSearchParams(text)) {
    if (FORBIDDEN_KEYS.has(key)) throw errors.validation(key, 'is not allowed as a form field');
    const prior = body[key];
    body[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return body;
}
