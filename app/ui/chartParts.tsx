/** What the admin's SVG charts share (MetricChart, ExperimentResults): the frame with its accessible title, and the 95 % whisker. */
import type { ReactNode } from "react";

export function ChartFrame({ id, title, width, height, children }: { id: string; title: string; width: number; height: number; children: ReactNode }) {
  return (
    <figure style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={title} data-chart={id}>
        <title>{title}</title>
        {children}
      </svg>
    </figure>
  );
}

/** An interval line from `from` to `to` at `at` with caps of half-length `cap`; `vertical` draws it upright. */
export function Whisker({ from, to, at, cap, vertical, strokeWidth = 1.5 }: { from: number; to: number; at: number; cap: number; vertical?: boolean; strokeWidth?: number }) {
  const seg = (a: number, b: number, c: number, d: number) => (vertical ? { x1: c, x2: d, y1: a, y2: b } : { x1: a, x2: b, y1: c, y2: d });
  return (
    <g stroke="#1a1a1a" strokeWidth={strokeWidth} aria-hidden="true" data-ci>
      <line {...seg(from, to, at, at)} />
      <line {...seg(from, from, at - cap, at + cap)} />
      <line {...seg(to, to, at - cap, at + cap)} />
    </g>
  );
}
