// Which credential family an OID means comes from configuration: FAMILY_MAPPING_FILE, or the
// validator's DEFAULT_FAMILY_MAPPING. No Nest, database or Redis here (`pki verify` uses it).
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../common/paths';
import { DEFAULT_FAMILY_MAPPING, FamilyMapping } from './validation';

/** Reads FAMILY_MAPPING_FILE ({ subjectTypes: {oid: family}, policies: {oid: family} }); the validator checks the families. */
export function loadFamilyMapping(file: string | null): FamilyMapping {
  if (!file) return DEFAULT_FAMILY_MAPPING;
  const path = isAbsolute(file) ? file : resolve(PROJECT_ROOT, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`FAMILY_MAPPING_FILE ${path} cannot be read as JSON: ${(error as Error).message}`);
  }
  const isTable = (value: unknown): value is Record<string, string> =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
  const mapping = parsed as Partial<Record<'subjectTypes' | 'policies', unknown>>;
  if (!isTable(mapping?.subjectTypes) || !isTable(mapping?.policies)) {
    throw new Error(`FAMILY_MAPPING_FILE ${path} must hold { "subjectTypes": { "<oid>": "<family>" }, "policies": { "<oid>": "<family>" } }`);
  }
  return mapping as FamilyMapping;
}

