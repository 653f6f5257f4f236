import { Body, Controller, Get, Inject, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../common/access/access.decorator';
import { textField } from '../../common/forms';
import { isLang, LANG_COOKIE } from '../../common/i18n/i18n';
import { cookieOptions } from '../../common/web/cookies';
import { safeReturnTo } from '../../common/web/return-to';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { HomeService } from './home.service';

@Controller()
export class HomeController {
  constructor(
    private readonly home: HomeService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Public()
  @Render('home/index')
  index(@Req() req: Request) {
    return { titleKey: 'home.title', ...this.home.servicesFor(req) };
  }

  /** The language switch: remembered in a cookie for a year; back to the page it came from. */
  @Post('language')
  @Public()
  switchLanguage(@Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    const lang = textField(body, 'lang');
    if (isLang(lang)) res.cookie(LANG_COOKIE, lang, cookieOptions(req, 365 * 86_400_000));
    res.redirect(303, safeReturnTo(textField(body, 'returnTo'), this.config.publicOrigin));
  }
}
