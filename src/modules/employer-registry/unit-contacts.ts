import { Injectable } from '@nestjs/common';
import { isLang, type Lang } from '../../common/i18n/i18n';
import { RegistrationRepository } from './registration.repository';

/** A unit's manager as its active registration names them: for e-mails sent on the unit's behalf (web and worker). */
@Injectable()
export class UnitContacts {
  constructor(private readonly repository: RegistrationRepository) {}

  async manager(unitCode: string): Promise<{ name: string; email: string; lang: Lang } | null> {
    const registration = await this.repository.activeFor(unitCode);
    if (!registration) return null;
    return { name: registration.managerName, email: registration.email, lang: isLang(registration.lang) ? registration.lang : 'zh-TW' };
  }
}
