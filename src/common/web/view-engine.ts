import { relative, sep } from 'node:path';
import { htmlLang, translate, type Lang } from '../i18n/i18n';
import { VIEWS_DIR } from '../paths';
import { ViewRenderer, type BaseViewContext } from './view-renderer';

/**
 * Express view engine over the ViewRenderer. One URL, two renderings: an HTMX request (not a
 * boosted navigation) gets the page alone, anything else the page inside the layout. Controllers
 * use Nest's @Render('module/page') and return the page's data with a `titleKey`.
 */
export function createViewEngine(renderer = new ViewRenderer()) {
  return (filePath: string, options: Record<string, unknown>, callback: (err: Error | null, html?: string) => void) => {
    try {
      const name = relative(VIEWS_DIR, filePath).replace(/\.hbs$/, '').split(sep).join('/');
      const lang = (options.lang as Lang) ?? 'zh-TW';
      const context: BaseViewContext = {
        otherLang: lang === 'zh-TW' ? 'en' : 'zh-TW',
        htmlLang: htmlLang(lang),
        csrfToken: '',
        currentPath: '/',
        user: null,
        errors: [],
        values: {},
        nav: [],
        ...options,
        lang,
        title: (options.title as string) ?? (options.titleKey ? translate(lang, String(options.titleKey), (options.titleParams as Record<string, unknown>) ?? {}) : ''),
      };
      callback(null, renderer.render(name, context, { layout: !options.partialOnly }));
    } catch (err) {
      callback(err as Error);
    }
  };
}
