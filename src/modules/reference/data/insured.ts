// Synthetic insured-person registry (健保投保資料) for development and tests: one row for every
// demo professional and every demo responsible person of an insured unit. Deterministic and
// fictional: card numbers 0000 99xx xxxx, household numbers (戶號) H99xxxxx, addresses on 示範路,
// mobiles 0999-xxx-xxx (a range no operator hands out), birth dates spread over 1960–1989.
import { nationalIdWithCheckDigit } from '../../../common/identifiers/national-id';
import { DEMO_INSTITUTIONS, DEMO_PERSONNEL } from './demo';

/** An insured person: what the NHI card services check registrations against. */
export interface DemoInsuredPerson {
  nationalId: string;
  nameZh: string;
  /** ISO date (YYYY-MM-DD). */
  birthDate: string;
  /** 12-digit NHI card number. */
  cardNumber: string;
  /** 戶號: one letter and 7 digits (top left of the household register's inner page). */
  householdNumber: string;
  registeredAddress: string;
  /** Normalised as validatePhone returns it: 09xx-xxx-xxx. */
  mobile: string;
}

/** A unit's responsible person (負責人), who registers the unit and signs in with the NHI card. */
export interface DemoResponsiblePerson {
  nationalId: string;
  nameZh: string;
  /** The unit (投保單位) the person is responsible for: 9-character unit code. */
  unitCode: string;
  unitNameZh: string;
}

export const DEMO_RESPONSIBLE_PERSONS: readonly DemoResponsiblePerson[] = [
  { nationalId: nationalIdWithCheckDigit('A19880001'), nameZh: '趙文華', unitCode: '990000011', unitNameZh: '示範資訊股份有限公司' },
  { nationalId: nationalIdWithCheckDigit('B29880002'), nameZh: '錢佩芬', unitCode: '990000022', unitNameZh: '示範餐飲有限公司' },
  { nationalId: nationalIdWithCheckDigit('E19880003'), nameZh: '孫志遠', unitCode: '990000033', unitNameZh: '示範物流股份有限公司' },
];

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function insured(index: number, nationalId: string, nameZh: string, county: string): DemoInsuredPerson {
  const birthYear = 1960 + (index % 30);
  return {
    nationalId,
    nameZh,
    birthDate: `${birthYear}-${pad((index % 12) + 1, 2)}-${pad((index % 28) + 1, 2)}`,
    cardNumber: `000099${pad(index + 1, 6)}`,
    householdNumber: `H99${pad(index + 1, 5)}`,
    registeredAddress: `${county}示範路${index + 1}號`,
    mobile: `0999-${pad(Math.floor((index + 1) / 1000), 3)}-${pad((index + 1) % 1000, 3)}`,
  };
}

function countyOf(institutionCode: string): string {
  const address = DEMO_INSTITUTIONS.find((i) => i.code === institutionCode)?.address ?? '臺北市中正區';
  return address.slice(0, 6);
}

export const DEMO_INSURED: readonly DemoInsuredPerson[] = [
  ...DEMO_PERSONNEL.map((p, i) => insured(i, p.nationalId, p.nameZh, countyOf(p.homeInstitutionCode))),
  ...DEMO_RESPONSIBLE_PERSONS.map((p, i) => insured(DEMO_PERSONNEL.length + i, p.nationalId, p.nameZh, '臺北市信義區')),
];

export function findDemoInsured(nationalId: string): DemoInsuredPerson | undefined {
  return DEMO_INSURED.find((p) => p.nationalId === nationalId);
}
