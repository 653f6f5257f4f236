// Pages of the real application against a bare Node server rendering the same template:
//   (a) the home page /                      (app: Nest + Express + the whole pipeline)
//   (b) /counters?county=63000               (app, one counters query against the database)
//   (c) the home page from a bare http server (the same ViewRenderer and context, no framework)
// and the ratio app/bare for the home page, i.e. what the framework and pipeline cost.
import { getPage, startChild, stopChild, waitForLine } from './lib/harness.mjs';

export const name = 'http-pages';
export const description = 'home and counters pages of the app, and the home page from a bare http server';

/** The page with its CSRF token (meta tag, hidden fields, hx-headers) replaced, for comparing renderings. */
const withoutToken = (html) => {
  const token = /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1];
  return token ? html.replaceAll(token, 'TOKEN') : html;
};

const check = (what, page, test, hint) => {
  if (page.status !== 200 || !test(page.text)) throw new Error(`${what}: answered ${page.status}${page.status === 200 ? ` but ${hint}` : ''}`);
};

/** @param {import('../bench.mjs').BenchContext} ctx */
export default async function run(ctx) {
  const homeUrl = `${ctx.appUrl}/`;
  const countersUrl = `${ctx.appUrl}/counters?county=63000`;

  check('GET /', await getPage(homeUrl), (t) => t.includes('href="/counters"'), 'it is not the home page');
  check(
    'GET /counters?county=63000',
    await getPage(countersUrl),
    (t) => t.includes('<th scope="row"'),
    'it lists no counter: is the database seeded? (`npm start` migrates and seeds it)',
  );

  const bare = startChild(['scripts/bench/lib/bare-home-server.mjs'], ctx.env);
  try {
    const [, port] = await waitForLine(bare, /listening (\d+)/);
    const bareUrl = `http://127.0.0.1:${port}/`;
    // The comparison is fair only if both render the same page.
    const [appHtml, bareHtml] = [withoutToken((await getPage(homeUrl)).text), withoutToken((await getPage(bareUrl)).text)];
    if (appHtml !== bareHtml) {
      let at = 0;
      while (appHtml[at] === bareHtml[at]) at++;
      throw new Error(`the bare server's home page differs from the app's at character ${at}:\n  app:  ${JSON.stringify(appHtml.slice(at - 40, at + 80))}\n  bare: ${JSON.stringify(bareHtml.slice(at - 40, at + 80))}`);
    }

    const rows = [
      { target: 'app  GET /', ...(await ctx.measure(homeUrl)) },
      { target: 'app  GET /counters?county=63000', ...(await ctx.measure(countersUrl)) },
      { target: 'bare GET / (ViewRenderer only)', ...(await ctx.measure(bareUrl)) },
    ];
    const bareRate = rows[2].requestsPerSecond;
    // The goals of the lean pipeline (issue 15): home at least 0.5 of the bare server, the
    // database-backed page at least 0.4, both with p99 under 20 ms at 10 connections.
    const verdict = (row, goal) => {
      const ratio = row.requestsPerSecond / bareRate;
      const met = ratio >= goal && row.latencyP99Ms < 20;
      return `${row.target.trim()}: app/bare throughput ${ratio.toFixed(2)} (goal at least ${goal.toFixed(1)}), p99 ${row.latencyP99Ms} ms (goal under 20 ms): ${met ? 'met' : 'NOT met'}`;
    };
    return {
      rows,
      notes: [verdict(rows[0], 0.5), verdict(rows[1], 0.4)],
    };
  } finally {
    await stopChild(bare);
  }
}
