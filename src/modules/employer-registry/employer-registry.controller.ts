import { Controller, Get, Render } from '@nestjs/common';
import { Allow } from '../../common/access/access.decorator';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/context/request-context';
import { EmployerRegistryService } from './employer-registry.service';

/** The signed-in unit's own registry record. */
@Controller('employers')
export class EmployerRegistryController {
  constructor(private readonly registry: EmployerRegistryService) {}

  @Get('unit')
  @Allow('employer_manager', 'employer_operator')
  @Render('employer-registry/unit')
  async unit(@CurrentPrincipal() principal: Principal) {
    const unit = await this.registry.unitFor(principal, principal.unitCode ?? '');
    const identifierKey = unit.kind === 'company' ? 'businessNumber' : unit.kind === 'institution' ? 'institutionCode' : 'agencyOid';
    return {
      titleKey: 'employers.unit.title',
      rows: [
        { keyKey: 'employers.unit.unitCode', value: unit.unitCode },
        { keyKey: 'employers.unit.name', value: unit.nameZh },
        { keyKey: 'employers.unit.kind', valueKey: `employers.kind.${unit.kind}` },
        { keyKey: `employers.unit.${identifierKey}`, value: unit[identifierKey] },
        ...(unit.kind !== 'company' && unit.businessNumber ? [{ keyKey: 'employers.unit.businessNumber', value: unit.businessNumber }] : []),
        { keyKey: 'employers.unit.labourInsuranceNumber', value: unit.labourInsuranceNumber ?? '—' },
        { keyKey: 'employers.unit.responsibleId', value: unit.responsibleIdMasked },
      ],
    };
  }
}
