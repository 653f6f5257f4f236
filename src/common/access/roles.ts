/** The roles of DOMAIN.md. Staff roles sign in on the intranet only. */
export const ROLES = [
  'personnel',
  'institution',
  'employer_manager',
  'employer_operator',
  'counter_staff',
  'county_reviewer',
  'ministry_staff',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export const STAFF_ROLES: readonly Role[] = ['counter_staff', 'county_reviewer', 'ministry_staff', 'admin'];

export function isStaffRole(role: Role): boolean {
  return STAFF_ROLES.includes(role);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
