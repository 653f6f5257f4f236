import type { Outcome, ReportLine } from './reports.service';

/** The fill of each outcome: luminances far apart (L* 22, 46, 64, 74, 88), so the segments stay apart in greyscale; every segment has a dark outline. */
export const OUTCOME_FILLS: Record<Outcome, string> = {
  approved: '#003078',
  submitted: '#1d70b8',
  rejected: '#f47738',
  cancelled: '#b1b4b6',
  superseded: '#ffdd00',
};

export interface ChartSegment {
  outcome: Outcome;
  x: number;
  width: number;
  fill: string;
  value: number;
}

export interface ChartBar {
  label: string;
  y: number;
  textY: number;
  total: number;
  totalX: number;
  segments: ChartSegment[];
}

export interface BarChart {
  width: number;
  height: number;
  labelWidth: number;
  barHeight: number;
  bars: ChartBar[];
}

const BAR = 22;
const GAP = 8;
const LABEL = 190;
const PLOT = 460;
const RIGHT = 60;

/**
 * A horizontal stacked bar per line (its cases by outcome), drawn on the server as SVG: no script,
 * the same in print. The page puts the data table beside it as its accessible alternative.
 */
export function barChart(lines: ReportLine[], outcomes: readonly Outcome[], max = 25): BarChart {
  const shown = lines.slice(0, max);
  const top = Math.max(1, ...shown.map((l) => l.cases));
  const scale = PLOT / top;
  const bars = shown.map((line, i) => {
    const y = i * (BAR + GAP);
    let x = LABEL;
    const segments = outcomes.flatMap((outcome) => {
      const value = line.outcomes[outcome];
      if (!value) return [];
      const segment = { outcome, x, width: Math.max(1, value * scale), fill: OUTCOME_FILLS[outcome], value };
      x += segment.width;
      return [segment];
    });
    return { label: line.name, y, textY: y + BAR * 0.7, total: line.cases, totalX: x + 6, segments };
  });
  return { width: LABEL + PLOT + RIGHT, height: Math.max(BAR, bars.length * (BAR + GAP)), labelWidth: LABEL - 8, barHeight: BAR, bars };
}
