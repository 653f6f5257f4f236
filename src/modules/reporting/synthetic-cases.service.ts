import { Injectable } from '@nestjs/common';
import { addDays, taipeiDay } from '../../common/time/taipei-day';
import { CaseSummaryService, type RebuildResult } from './case-summary.service';
import { seededRandom, type Weighted } from './seeded-random';
import { SyntheticCasesRepository, type SyntheticCaseRow } from './synthetic-cases.repository';

const BATCH = 2000;

const STATUSES: Weighted<string> = [['approved', 62], ['submitted', 8], ['rejected', 9], ['cancelled', 12], ['superseded', 9]];
const PURPOSES: Weighted<string> = [['outpatient', 46], ['surgery', 12], ['consultation', 10], ['locum', 9], ['itinerant', 8], ['teaching', 6], ['emergency', 6], ['other', 3]];

export interface GenerateResult {
  cases: number;
  seed: number;
  seconds: number;
  rebuild: RebuildResult;
}

/**
 * Realistic synthetic support-duty cases over the last two years (counties follow the
 * institutions, busier institutions get more cases; categories follow the registry; purposes and
 * outcomes follow the weights above), inserted in bulk, then a full rebuild of the summaries.
 */
@Injectable()
export class SyntheticCasesService {
  constructor(
    private readonly synthetic: SyntheticCasesRepository,
    private readonly summaries: CaseSummaryService,
  ) {}

  async generate(count: number, seed: number, progress: (done: number) => void = () => {}): Promise<GenerateResult> {
    const started = Date.now();
    const [people, institutions] = [await this.synthetic.people(), await this.synthetic.institutions()];
    if (!people.length || !institutions.length) throw new Error('The registry is empty: run `npm run cli -- seed` first (it loads the demo institutions and professionals).');
    const rnd = seededRandom(seed);
    // a few institutions are much busier than the rest (Zipf-like weights)
    const weightedInstitutions: Weighted<(typeof institutions)[number]> = institutions.map((inst, i) => [inst, 1 / (1 + (i % 7))] as const);
    const today = taipeiDay();
    let number = await this.synthetic.nextNumber();
    for (let done = 0; done < count; ) {
      const rows: SyntheticCaseRow[] = [];
      for (let i = 0; i < BATCH && done < count; i++, done++) {
        const firstDay = addDays(today, -rnd.int(730));
        const lastDay = addDays(firstDay, rnd.int(90));
        const status = rnd.weighted(STATUSES);
        const submittedAt = `${addDays(firstDay, -1 - rnd.int(14))} 09:${String(rnd.int(60)).padStart(2, '0')}:00.000`;
        const decidedAt = status === 'submitted' ? null : `${addDays(firstDay, -1)} 15:00:00.000`;
        rows.push([`SX${String(number++).padStart(10, '0')}`, status, people[rnd.int(people.length)], rnd.weighted(weightedInstitutions), rnd.weighted(PURPOSES), firstDay, lastDay, 1 + rnd.int(16), submittedAt, decidedAt]);
      }
      await this.synthetic.insert(rows);
      progress(done);
    }
    const rebuild = await this.summaries.rebuild();
    return { cases: count, seed, seconds: (Date.now() - started) / 1000, rebuild };
  }
}
