export type PageItem = { number: number; href: string; current: boolean } | { ellipsis: true };

export interface Pager {
  previous?: { href: string };
  next?: { href: string };
  items: PageItem[];
}

/** The context of views/partials/pagination.hbs: first, last and two either side of the current page. */
export function pager(page: number, pages: number, href: (page: number) => string): Pager {
  const items: PageItem[] = [];
  let last = 0;
  for (let p = 1; p <= pages; p++) {
    if (p !== 1 && p !== pages && Math.abs(p - page) > 2) continue;
    if (p - last > 1) items.push({ ellipsis: true });
    items.push({ number: p, href: href(p), current: p === page });
    last = p;
  }
  return {
    ...(page > 1 ? { previous: { href: href(page - 1) } } : {}),
    ...(page < pages ? { next: { href: href(page + 1) } } : {}),
    items: pages > 1 ? items : [],
  };
}

/** A page number from a query string: a positive whole number, else 1. */
export function pageParam(value: string | undefined): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1;
}
