/** A value for a LIKE pattern, with LIKE's own characters (\, %, _) escaped. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
