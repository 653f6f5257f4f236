import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Role } from '../../common/access/roles';
import { addressIn } from '../../common/web/client-address';
import { APP_CONFIG, type AppConfig, toBlockList } from '../../config/app-config';

interface ServiceLink {
  href: string;
  titleKey: string;
  descriptionKey: string;
  audienceKey: string;
  /** Who sees the link: anyone, only signed-out visitors on the intranet, or these roles. */
  show: 'anyone' | 'signed-out' | 'staff-sign-in' | Role[];
}

/**
 * The services that exist, for the home page. A module adds its entry when its pages exist, so
 * the home page never leads to a dead link.
 */
const SERVICES: ServiceLink[] = [
  { href: '/login', titleKey: 'home.services.login.title', descriptionKey: 'home.services.login.description', audienceKey: 'home.audience.everyone', show: 'signed-out' },
  { href: '/cards/reserve/personnel', titleKey: 'home.services.reservePersonnel.title', descriptionKey: 'home.services.reservePersonnel.description', audienceKey: 'home.audience.everyone', show: 'anyone' },
  { href: '/cards/reserve/institution', titleKey: 'home.services.reserveInstitution.title', descriptionKey: 'home.services.reserveInstitution.description', audienceKey: 'home.audience.everyone', show: 'anyone' },
  { href: '/cards/reserve/attached', titleKey: 'home.services.reserveAttached.title', descriptionKey: 'home.services.reserveAttached.description', audienceKey: 'home.audience.everyone', show: 'anyone' },
  { href: '/cards/reserve/test', titleKey: 'home.services.reserveTest.title', descriptionKey: 'home.services.reserveTest.description', audienceKey: 'home.audience.everyone', show: 'anyone' },
  { href: '/cards/services', titleKey: 'home.services.cardServices.title', descriptionKey: 'home.services.cardServices.description', audienceKey: 'home.audience.everyone', show: 'anyone' },
  { href: '/cards/lookup', titleKey: 'home.services.reservationLookup.title', descriptionKey: 'home.services.reservationLookup.description', audienceKey: 'home.audience.everyone', show: 'anyone' },
  { href: '/counters', titleKey: 'home.services.counters.title', descriptionKey: 'home.services.counters.description', audienceKey: 'home.audience.everyone', show: 'anyone' },
  { href: '/staff/login', titleKey: 'home.services.staffLogin.title', descriptionKey: 'home.services.staffLogin.description', audienceKey: 'home.audience.staff', show: 'staff-sign-in' },
  { href: '/counter', titleKey: 'home.services.counter.title', descriptionKey: 'home.services.counter.description', audienceKey: 'home.audience.staff', show: ['counter_staff'] },
  { href: '/admin/audit', titleKey: 'home.services.audit.title', descriptionKey: 'home.services.audit.description', audienceKey: 'home.audience.staff', show: ['admin', 'ministry_staff'] },
  { href: '/admin/jobs', titleKey: 'home.services.jobs.title', descriptionKey: 'home.services.jobs.description', audienceKey: 'home.audience.admin', show: ['admin'] },
  { href: '/admin/mailbox', titleKey: 'home.services.mailbox.title', descriptionKey: 'home.services.mailbox.description', audienceKey: 'home.audience.admin', show: ['admin'] },
];

@Injectable()
export class HomeService {
  private readonly intranet;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.intranet = toBlockList(config.intranetCidrs);
  }

  servicesFor(req: Request) {
    const principal = req.session.principal;
    const onIntranet = addressIn(this.intranet, req.ip);
    const visible = SERVICES.filter((s) =>
      s.show === 'anyone' ? true : s.show === 'signed-out' ? !principal : s.show === 'staff-sign-in' ? onIntranet && !principal : !!principal && s.show.includes(principal.role),
    );
    const link = ({ href, titleKey, descriptionKey, audienceKey }: ServiceLink) => ({ href, titleKey, descriptionKey, audienceKey });
    return {
      services: visible.filter((s) => s.audienceKey === 'home.audience.everyone').map(link),
      staffServices: visible.filter((s) => s.audienceKey !== 'home.audience.everyone').map(link),
    };
  }
}
