import { Body, Controller, Get, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../common/access/access.decorator';
import { isLang, LANG_COOKIE } from '../../common/i18n/i18n';
import { cookieOptions } from '../../common/web/http-pipeline';
import { safeReturnTo } from '../auth/staff-login.controller';
import { HomeService } from './home.service';

@Controller()
export class HomeController {
  constructor(private readonly home: HomeService) {}

  @Get()
  @Public()
  @Render('home/index')
  index(@Req() req: Request) {
    return { titleKey: 'home.title', ...this.home.servicesFor(req) };
  }

  /** The language switch: remembered in a cookie for a year; back to the page it came from. */
  @Post('language')
  @Public()
  switchLanguage(@Body() body: Record<string, string | undefined>, @Req() req: Request, @Res() res: Response) {
    if (isLang(body.lang)) {
      res.cookie(LANG_COOKIE, body.lang, cookieOptions(req, 365 * 86_400_000));
    }
    res.redirect(303, safeReturnTo(body.returnTo));
  }
}
