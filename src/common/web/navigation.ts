import type { Principal } from '../context/request-context';
import type { Role } from '../access/roles';

interface NavItem {
  href: string;
  labelKey: string;
  roles: Role[] | 'anyone' | 'signed-out';
  intranetOnly?: boolean;
}

/** The header navigation; each module adds its entry here when its pages exist. */
const ITEMS: NavItem[] = [
  { href: '/', labelKey: 'nav.home', roles: 'anyone' },
  { href: '/counters', labelKey: 'nav.counters', roles: 'anyone' },
  { href: '/counter', labelKey: 'nav.counter', roles: ['counter_staff'] },
  { href: '/admin/audit', labelKey: 'nav.audit', roles: ['admin', 'ministry_staff'] },
  { href: '/admin/jobs', labelKey: 'nav.admin', roles: ['admin'] },
  { href: '/login', labelKey: 'nav.login', roles: 'signed-out' },
  { href: '/staff/login', labelKey: 'nav.staffLogin', roles: 'signed-out', intranetOnly: true },
];

export function navigationFor(principal: Principal | null, path: string, intranet: boolean) {
  return ITEMS.filter((item) => (intranet || !item.intranetOnly)).filter((item) =>
    item.roles === 'anyone' ? true : item.roles === 'signed-out' ? !principal : !!principal && item.roles.includes(principal.role),
  ).map((item) => ({
    href: item.href,
    labelKey: item.labelKey,
    current: item.href === '/' ? path === '/' : path === item.href || path.startsWith(`${item.href}/`),
  }));
}
