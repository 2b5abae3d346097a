import { isRaw, textEmails } from '../scraping/parse.js';

/**
 * A creator's contact e-mails: those written in the bio, then the business profile's `public_email` (from the raw
 * profile answer). An address in a bio is a contact, never an @mention (issue 13).
 */
export function contactEmails(blog: { biography: string | null; raw: unknown }): string[] {
  const publicEmail = isRaw(blog.raw) && typeof blog.raw['public_email'] === 'string' ? blog.raw['public_email'].trim().toLowerCase() : '';
  return [...new Set([...textEmails(blog.biography), ...(publicEmail ? [publicEmail] : [])])];
}
