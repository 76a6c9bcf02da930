/**
 * A cap on how deeply a JSON request body may nest, checked on the text before it is parsed, in one
 * pass with no recursion: a body nested thousands deep is a 400, never a stack overflow (500) in a
 * handler. Customer.io's own cap is not documented (UNCONFIRMED); 128 levels is far beyond any real
 * payload.
 */
export const MAX_JSON_DEPTH = 128;

/** Whether the JSON text opens more than `max` arrays/objects inside one another. */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return false;
}
