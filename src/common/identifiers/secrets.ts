// Card secrets chosen or typed by the holder. Surrounding whitespace is trimmed (it can never be
// part of a valid value); nothing else is changed: in particular the user code keeps its case.
import { Checked, RawInput, checkFormat } from './result';

/** User code (用戶代碼): exactly 6 ASCII letters or digits, case-sensitive, never uppercased. */
export function validateUserCode(input: RawInput): Checked {
  return checkFormat(input, /^[A-Za-z0-9]{6}$/);
}

/** Card PIN: 6 to 8 digits (reader error 9041 is the wrong-length case). */
export function validatePin(input: RawInput): Checked {
  return checkFormat(input, /^\d{6,8}$/);
}

/** A new PIN set through our flows (open card, change PIN, unlock): exactly 6 digits. */
export function validateNewPin(input: RawInput): Checked {
  return checkFormat(input, /^\d{6}$/);
}

/** PUK (unblocking key): 8 digits. */
export function validatePuk(input: RawInput): Checked {
  return checkFormat(input, /^\d{8}$/);
}
