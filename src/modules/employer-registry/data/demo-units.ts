// Synthetic employer registry (要保機關 / 投保單位) for development and tests: twelve units of each
// kind, ten whose registry identifier is the one `dev card create` puts in their development
// organisation card, and two whose card identifier differs (a certificate that will not match:
// first registration goes to the ministry's review). Deterministic and fictional: unit codes
// 9xxxxxxxx, agency OIDs under 2.16.886.101.99000 (GCA) and 2.16.886.1.100.99.5000 (XCA),
// institution codes 99xxxxxxxx, business numbers 9xxxxxxx with a valid checksum.
import { nationalIdWithCheckDigit } from '../../../common/identifiers/national-id';
import { validateBusinessNumber } from '../../../common/identifiers';
import { DEMO_RESPONSIBLE_PERSONS } from '../../reference';
import type { UnitKind } from '../unit-kind';

export interface DemoUnit {
  unitCode: string;
  kind: UnitKind;
  nameZh: string;
  businessNumber: string | null;
  agencyOid: string | null;
  institutionCode: string | null;
  countyCode: string;
  responsibleNationalId: string;
  labourInsuranceNumber: string | null;
  /** The identifier the unit's development card carries: the registry's own, or (mismatch) another. */
  cardIdentifier: string;
  /** Whether the card made with cardIdentifier matches the registry (false: a review case). */
  matches: boolean;
}

const COUNTY_CYCLE = ['63000', '65000', '66000', '64000', '67000', '68000', '10002', '10017', '10007', '10015', '10013', '10020'];
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The 8-digit business number 9<6 digits><check> that passes the checksum. */
function businessNumber(seed: number): string {
  for (let last = 0; last < 10; last++) {
    const candidate = `9${pad(seed, 6)}${last}`;
    if (validateBusinessNumber(candidate).ok) return candidate;
  }
  throw new Error(`no business number for ${seed}`);
}

const NAMES: Record<UnitKind, (i: number) => string> = {
  agency: (i) => `示範第${i}區公所`,
  organization: (i) => `示範公益協會第${i}分會`,
  company: (i) => `示範貿易第${i}股份有限公司`,
  institution: (i) => `示範第${i}診所`,
};

const KIND_DIGIT: Record<UnitKind, number> = { agency: 1, organization: 2, company: 3, institution: 4 };

function identifier(kind: UnitKind, i: number): string {
  switch (kind) {
    case 'agency':
      return `2.16.886.101.99000.${i}`;
    case 'organization':
      return `2.16.886.1.100.99.5000.${i}`;
    case 'company':
      return businessNumber(KIND_DIGIT.company * 1000 + i);
    case 'institution':
      return `99${pad(KIND_DIGIT.institution, 2)}${pad(i, 6)}`;
  }
}

function unit(kind: UnitKind, i: number): DemoUnit {
  const id = identifier(kind, i);
  const matches = i <= 10;
  const cardIdentifier = matches ? id : identifier(kind, i + 100);
  return {
    unitCode: `9${KIND_DIGIT[kind]}${pad(i, 7)}`,
    kind,
    nameZh: NAMES[kind](i),
    businessNumber: kind === 'company' ? id : kind === 'institution' ? null : businessNumber(KIND_DIGIT[kind] * 1000 + i),
    agencyOid: kind === 'agency' || kind === 'organization' ? id : null,
    institutionCode: kind === 'institution' ? id : null,
    countyCode: COUNTY_CYCLE[(i - 1) % COUNTY_CYCLE.length],
    responsibleNationalId: nationalIdWithCheckDigit(`R1${KIND_DIGIT[kind]}7700${pad(i, 2)}`),
    labourInsuranceNumber: i % 3 === 0 ? null : `${pad(KIND_DIGIT[kind] * 1_000_000 + i, 8)}${String.fromCharCode(65 + (i % 26))}`,
    cardIdentifier,
    matches,
  };
}

/** The responsible persons of the NHI card work (DEMO_RESPONSIBLE_PERSONS) head companies of the registry too. */
const RESPONSIBLE_COMPANIES: DemoUnit[] = DEMO_RESPONSIBLE_PERSONS.map((p, i) => {
  const number = businessNumber(8000 + i);
  return {
    unitCode: p.unitCode,
    kind: 'company',
    nameZh: p.unitNameZh,
    businessNumber: number,
    agencyOid: null,
    institutionCode: null,
    countyCode: '63000',
    responsibleNationalId: p.nationalId,
    labourInsuranceNumber: `0${pad(8000 + i, 7)}A`,
    cardIdentifier: number,
    matches: true,
  };
});

export const DEMO_UNITS: readonly DemoUnit[] = [
  ...(['agency', 'organization', 'company', 'institution'] as const).flatMap((kind) => Array.from({ length: 12 }, (_, i) => unit(kind, i + 1))),
  ...RESPONSIBLE_COMPANIES,
];

/** The `dev card create` arguments that make a demo unit's development organisation card. */
export function demoCardArguments(u: DemoUnit): string[] {
  switch (u.kind) {
    case 'agency':
      return ['--type', 'organization', '--org-type', 'gca', '--agency-oid', u.cardIdentifier, '--name', u.nameZh];
    case 'organization':
      return ['--type', 'organization', '--org-type', 'xca', '--agency-oid', u.cardIdentifier, '--name', u.nameZh];
    case 'company':
      return ['--type', 'organization', '--org-type', 'moeaca', '--business-number', u.cardIdentifier, '--name', u.nameZh];
    case 'institution':
      return ['--type', 'institution', '--institution-code', u.cardIdentifier, '--name', u.nameZh];
  }
}
