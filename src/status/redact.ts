/**
 * Keeps row content out of what liftline shows. Snowflake redacts values in a channel's
 * `last_error_message`, but a message that quotes a value anyway (a driver or proxy in between,
 * a future format) must not put a customer's name or email on a page, in the status JSON or in
 * the logs: quoted text is replaced, and so is anything shaped like an email address or a phone
 * number.
 *
 * @module
 */

const QUOTED = /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`/g;
const EMAIL = /[^\s@'"<>]+@[^\s@'"<>]+\.[A-Za-z]{2,}/g;
/** Digit groups joined by separators, as phone numbers are written (not plain row counts). */
const PHONE = /\+?\d{0,3}[\s.-]?\(?\d{2,4}\)?[\s.-]\d{3,4}[\s.-]\d{3,5}/g;

/** `message` with quoted values, email addresses and phone numbers replaced by `…`. */
export function redactRowContent(message: string): string {
  return message.replace(QUOTED, "'…'").replace(EMAIL, "…").replace(PHONE, "…");
}
