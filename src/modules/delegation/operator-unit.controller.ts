import { Body, Controller, Get, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Allow } from '../../common/access/access.decorator';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/context/request-context';
import { FormValidationError } from '../../common/errors/domain-error';
import { textField } from '../../common/forms';
import { SessionRegistry } from '../auth';
import { DelegationService, OPERATOR_UNIT_PATH } from './delegation.service';

/** 選擇單位: an operator whose certificate serves several units picks the one to act for (after sign-in, and any time after). */
@Controller(OPERATOR_UNIT_PATH.slice(1))
export class OperatorUnitController {
  constructor(
    private readonly delegations: DelegationService,
    private readonly sessions: SessionRegistry,
  ) {}

  private async context(principal: Principal) {
    const units = await this.delegations.unitsOf(principal);
    return {
      titleKey: 'delegation.operatorUnit.title',
      units,
      several: units.length > 1,
      unitItems: units.map((u) => ({ value: u.id, text: `${u.unitCode} ${u.unitName}` })),
      values: { unit: units.find((u) => u.current)?.id ?? '' },
    };
  }

  @Get()
  @Allow('employer_operator')
  @Render('delegation/operator-unit')
  page(@CurrentPrincipal() principal: Principal) {
    return this.context(principal);
  }

  @Post()
  @Allow('employer_operator')
  async choose(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    const next = await this.delegations.switchUnit(principal, textField(body, 'unit'));
    if (!next) {
      const context = await this.context(principal);
      throw new FormValidationError('delegation/operator-unit', context.titleKey, [{ field: 'unit', messageKey: 'delegation.operatorUnit.errors.choose' }], { unit: '' }, context);
    }
    await this.sessions.remove(principal, req.sessionID);
    req.session.principal = next;
    await this.sessions.add(next, req.sessionID);
    res.redirect(303, '/');
  }
}
