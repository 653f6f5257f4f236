import { Controller, Get, Inject, Render } from '@nestjs/common';
import { Public } from '../../common/access/access.decorator';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { HELPER_ENDPOINTS } from '../../shared/web-eid';

/** Where a user checks that the reader helper runs: its status endpoint, opened in the browser. */
export function helperStatusUrl(config: AppConfig): string {
  return `${config.helperUrl.replace(/\/+$/, '')}${HELPER_ENDPOINTS.status}`;
}

/**
 * `/helper`: what the reader helper is, how to install, start and check it, and what to do when
 * it does not answer. The login page's "cannot reach the reader helper" summary links here.
 * Development hints (the `npm run helper` command) appear here only, and only when
 * NODE_ENV=development.
 */
@Controller()
export class ReaderHelperPageController {
  /** The helper's port as the page names it (the URL's default port when it names none). */
  private readonly helperPort: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const url = new URL(config.helperUrl);
    this.helperPort = url.port || (url.protocol === 'https:' ? '443' : '80');
  }

  @Get('helper')
  @Public()
  @Render('auth/reader-helper')
  page() {
    return {
      titleKey: 'readerHelper.title',
      helperStatusUrl: helperStatusUrl(this.config),
      helperPort: this.helperPort,
      siteOrigin: this.config.publicOrigin,
      developmentHints: this.config.nodeEnv === 'development',
    };
  }
}
