import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { formatDate, formatDateTime, formatDay } from '../i18n/dates';
import { translate, type Lang } from '../i18n/i18n';
import { AssetManifest } from '../../core/static-assets';
import { PUBLIC_BUILD_DIR, VIEWS_DIR } from '../paths';
import { isUnbroken } from './unbroken';

/** What every template can rely on (see views/layouts/main.hbs). */
export interface BaseViewContext {
  lang: Lang;
  htmlLang: string;
  otherLang: Lang;
  csrfToken: string;
  currentPath: string;
  user: { displayName: string; roleKey: string } | null;
  title: string;
  errors: Array<{ field: string; message: string }>;
  values: Record<string, unknown>;
  nav: Array<{ href: string; labelKey: string; current: boolean }>;
  [key: string]: unknown;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith('.hbs') ? [join(dir, entry.name)] : [],
  );
}

/**
 * Renders the Handlebars templates under views/. Used by the web app and by the bench's bare
 * http server, so both render exactly the same thing. Templates are compiled once.
 */
export class ViewRenderer {
  private readonly hbs = Handlebars.create();
  private readonly cache = new Map<string, Handlebars.TemplateDelegate>();

  constructor(
    private readonly viewsDir: string = VIEWS_DIR,
    private readonly assets: AssetManifest = new AssetManifest(PUBLIC_BUILD_DIR),
  ) {
    const partialsDir = join(viewsDir, 'partials');
    for (const file of walk(partialsDir)) {
      const name = relative(partialsDir, file).slice(0, -'.hbs'.length).split(sep).join('/');
      this.hbs.registerPartial(name, readFileSync(file, 'utf8'));
    }
    this.registerHelpers();
  }

  private registerHelpers(): void {
    const hbs = this.hbs;
    const langOf = (options: Handlebars.HelperOptions): Lang => (options.data?.root?.lang as Lang) ?? 'zh-TW';
    const escape = (value: unknown) => Handlebars.Utils.escapeExpression(String(value ?? ''));
    const kept = (value: unknown) => (isUnbroken(value) ? `<span class="app-nowrap">${escape(value)}</span>` : escape(value));
    // Parameters that are numbers, dates or codes stay on one line (src/common/web/unbroken.ts).
    hbs.registerHelper('t', function (key: unknown, options: Handlebars.HelperOptions) {
      const params: Record<string, unknown> = options.hash ?? {};
      const marks: string[] = [];
      const marked = Object.fromEntries(
        Object.entries(params).map(([name, value]) => {
          if (!isUnbroken(value)) return [name, value];
          marks.push(kept(value));
          return [name, `\u0000${marks.length - 1}\u0000`];
        }),
      );
      const text = translate(langOf(options), String(key), marked);
      if (!marks.length) return text;
      return new Handlebars.SafeString(escape(text).replace(/\u0000(\d+)\u0000/g, (_, i: string) => marks[Number(i)]));
    });
    /** A value that is kept on one line when it is a number, date or code (src/common/web/unbroken.ts). */
    hbs.registerHelper('keep', (value: unknown) => new Handlebars.SafeString(kept(value)));
    /** A built asset's URL by its plain name: {{asset "app.css"}} → /assets/app.<hash>.css (src/core/static-assets.ts). */
    hbs.registerHelper('asset', (name: unknown) => this.assets.url(String(name)));
    hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    hbs.registerHelper('not', (a: unknown) => !a);
    hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
    hbs.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
    hbs.registerHelper('fieldError', (errors: unknown, field: unknown) => {
      const list = Array.isArray(errors) ? (errors as Array<{ field: string; message: string }>) : [];
      return list.find((e) => e.field === field)?.message ?? '';
    });
    hbs.registerHelper('lookupValue', (values: unknown, field: unknown) => {
      const v = values && typeof values === 'object' ? (values as Record<string, unknown>)[String(field)] : undefined;
      return v ?? '';
    });
    hbs.registerHelper('json', (value: unknown) => JSON.stringify(value ?? null));
    /** JSON for a <script type="application/json"> block: raw, with "<" escaped so it cannot end the block. */
    hbs.registerHelper('scriptJson', (value: unknown) => new Handlebars.SafeString(JSON.stringify(value ?? null).replace(/</g, '\\u003c')));
    // The one date formatter (src/common/i18n/dates.ts): formatDay for 'YYYY-MM-DD', formatDate / formatDateTime for instants.
    // Plain text, so they work as parameters of t (which keeps them unbroken); alone, wrap them: {{keep (formatDay d)}}.
    const instant = (value: unknown) => (value instanceof Date ? value : new Date(String(value)));
    hbs.registerHelper('formatDateTime', function (value: unknown, options: Handlebars.HelperOptions) {
      return value ? formatDateTime(instant(value), langOf(options)) : '';
    });
    hbs.registerHelper('formatDate', function (value: unknown, options: Handlebars.HelperOptions) {
      return value ? formatDate(instant(value), langOf(options)) : '';
    });
    hbs.registerHelper('formatDay', function (value: unknown, options: Handlebars.HelperOptions) {
      return value ? formatDay(String(value), langOf(options)) : '';
    });
  }

  private template(name: string): Handlebars.TemplateDelegate {
    let compiled = this.cache.get(name);
    if (!compiled) {
      compiled = this.hbs.compile(readFileSync(join(this.viewsDir, `${name}.hbs`), 'utf8'), { strict: false, explicitPartialContext: true });
      this.cache.set(name, compiled);
    }
    return compiled;
  }

  /** The page alone (for HTMX requests) or wrapped in the main layout. */
  render(name: string, context: BaseViewContext, options: { layout: boolean }): string {
    const body = this.template(name)(context);
    return options.layout ? this.template('layouts/main')({ ...context, body }) : body;
  }
}
