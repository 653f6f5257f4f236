// Masking for display (STYLE.md 15: personal identifiers are shown masked).

/**
 * Keeps `visibleStart` characters at the start and `visibleEnd` at the end and replaces each
 * character between them with `maskChar`. A value too short to keep anything is masked entirely.
 */
export function maskIdentifier(value: string, visibleStart: number, visibleEnd: number, maskChar = '*'): string {
  if (value.length <= visibleStart + visibleEnd) return maskChar.repeat(value.length);
  return value.slice(0, visibleStart) + maskChar.repeat(value.length - visibleStart - visibleEnd) + value.slice(value.length - visibleEnd);
}

/** 'A123456789' → 'A12****789'. */
export function maskNationalId(id: string): string {
  return maskIdentifier(id.trim().toUpperCase(), 3, 3);
}

/** A 12-digit card number as shown and audited: '000099001234' → '0000****1234'. */
export function maskCardNumber(cardNumber: string): string {
  return maskIdentifier(cardNumber.trim(), 4, 4);
}
