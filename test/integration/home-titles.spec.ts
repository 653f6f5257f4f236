// One title per service (issue 14, item 8; docs/ui-conventions.md): the home page's card, the
// navigation and the page's heading say the same thing, and each card says who it is for.
import { translate, type Lang } from '../../src/common/i18n/i18n';
import { createTestApp, type TestApp } from '../support/app';
import { signInAsStaff } from '../support/staff';

/** The text of an HTML fragment without tags or entities that matter here. */
const textOf = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').replace(/&#x27;/g, "'").trim();

function cards(html: string): Array<{ href: string; title: string; audience: string }> {
  return [...html.matchAll(/<li class="app-card">([\s\S]*?)<\/li>/g)].map(([, card]) => ({
    href: /href="([^"]+)"/.exec(card)![1],
    title: textOf(/<a class="govuk-link app-card__link"[^>]*>([\s\S]*?)<\/a>/.exec(card)![1]),
    audience: textOf(/app-card__audience">([\s\S]*?)<\/p>/.exec(card)?.[1] ?? ''),
  }));
}

function navLinks(html: string): Array<{ href: string; label: string }> {
  const nav = /<ul class="govuk-service-navigation__list"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...nav.matchAll(/<a class="govuk-service-navigation__link" href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/g)].map(([, href, label]) => ({ href, label: textOf(label) }));
}

const h1 = (html: string) => textOf(/<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)![1]);

describe('home page: one title per service', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  for (const lang of ['zh-TW', 'en'] as const) {
    it(`gives each service the same title on its card, in the navigation and as its heading (${lang})`, async () => {
      const agent = t.agent();
      const get = (path: string) => agent.get(path).set('Cookie', `lang=${lang}`).expect(200);
      const home = (await get('/')).text;
      const found = cards(home);
      expect(found.map((c) => c.href)).toEqual(expect.arrayContaining(['/cards/reserve/personnel', '/cards/reserve/institution', '/cards/lookup', '/cards/services', '/counters']));
      for (const card of found) {
        expect([card.href, h1((await get(card.href)).text)]).toEqual([card.href, card.title]);
      }
      // the navigation: the same words as the heading, except home and the sign-in action
      for (const link of navLinks(home).filter((l) => l.href !== '/' && l.href !== '/login')) {
        expect([link.href, h1((await get(link.href)).text)]).toEqual([link.href, link.label]);
      }
      // no two cards share a title, and the sign-in is named once (the navigation says "sign in")
      const titles = found.map((c) => c.title);
      expect(titles.filter((title, i) => titles.indexOf(title) !== i)).toEqual([]);
      const loginTitle = translate(lang, 'login.title');
      expect([...found.map((c) => c.title), ...navLinks(home).map((l) => l.label)].filter((x) => x === loginTitle)).toHaveLength(1);
    });

    it(`says who each card service is for, never "the general public" for services meant for healthcare (${lang})`, async () => {
      const home = (await t.agent().get('/').set('Cookie', `lang=${lang}`).expect(200)).text;
      const audience = (href: string) => cards(home).find((c) => c.href === href)!.audience;
      const tr = (key: string) => translate(lang as Lang, key);
      expect(audience('/cards/reserve/personnel')).toBe(tr('home.audience').replace('{audience}', tr('home.audience.personnel')));
      expect(audience('/cards/reserve/institution')).toBe(tr('home.audience').replace('{audience}', tr('home.audience.institutions')));
      expect(audience('/cards/services')).toBe(tr('home.audience').replace('{audience}', tr('home.audience.cardHolders')));
      expect(home).not.toContain('一般民眾');
    });
  }

  it("gives the counter's service one title for counter staff too", async () => {
    const { agent } = await signInAsStaff(t, 'counter_staff', { counterCode: 'HB-63000' });
    const home = (await agent.get('/').expect(200)).text;
    const counter = cards(home).find((c) => c.href === '/counter')!;
    expect(navLinks(home).find((l) => l.href === '/counter')!.label).toBe(counter.title);
    expect(h1((await agent.get('/counter').expect(200)).text)).toBe(counter.title);
  });
});
