/**
 * One metric across recommenders, as horizontal bars in plain SVG (no chart library): one row per
 * recommender in its own colour (app/ui/sourceColours.ts, the same in every chart), its 95 % interval
 * as a thin line with caps when there is one, the value at the bar's end, and a "nice" axis
 * (app/ui/ticks.ts). Each bar has a <title> for hover and screen readers.
 */
import { ChartFrame, Whisker } from "./chartParts";
import { niceTicks } from "./ticks";

export interface MetricBar {
  key: string;
  label: string;
  value: number;
  ci?: [number, number];
  colour: string;
}

const LABEL_W = 230;
const ROW_H = 26;
const BAR_H = 16;
const VALUE_W = 56;

export function MetricChart({ id, title, bars, format, tickFormat, width = 720 }: { id: string; title: string; bars: MetricBar[]; format: (v: number) => string; tickFormat: (v: number, step: number) => string; width?: number }) {
  const top = 8;
  const axisH = 26;
  const plotW = width - LABEL_W - VALUE_W - 8;
  const height = top + bars.length * ROW_H + axisH;
  const { ticks, max, step } = niceTicks(Math.max(1e-9, ...bars.map((b) => Math.max(b.value, b.ci?.[1] ?? 0))));
  const x = (v: number) => LABEL_W + (Math.max(0, Math.min(v, max)) / max) * plotW;
  const axisY = top + bars.length * ROW_H;
  return (
    <ChartFrame id={id} title={title} width={width} height={height}>
        {ticks.map((t) => (
          <g key={t} data-tick={t}>
            <line x1={x(t)} x2={x(t)} y1={top - 4} y2={axisY} stroke="#e3e3e3" />
            <text x={x(t)} y={axisY + 16} fontSize="11" textAnchor="middle" fill="#4a4a4a">{tickFormat(t, step)}</text>
          </g>
        ))}
        {bars.map((b, i) => {
          const y = top + i * ROW_H + (ROW_H - BAR_H) / 2;
          const mid = y + BAR_H / 2;
          return (
            <g key={b.key} data-bar={b.key}>
              <text x={LABEL_W - 8} y={mid + 4} fontSize="12" textAnchor="end" fill="#303030">{b.label.length > 34 ? b.label.slice(0, 33) + "…" : b.label}</text>
              <rect x={LABEL_W} y={y} width={Math.max(1, x(b.value) - LABEL_W)} height={BAR_H} rx="3" fill={b.colour} opacity="0.85">
                <title>{`${b.label}: ${format(b.value)}${b.ci ? ` (95 %: ${format(b.ci[0])} – ${format(b.ci[1])})` : ""}`}</title>
              </rect>
              {b.ci ? <Whisker from={x(b.ci[0])} to={x(b.ci[1])} at={mid} cap={4} strokeWidth={1.25} /> : null}
              <text x={width - VALUE_W} y={mid + 4} fontSize="12" fill="#303030" fontWeight="600">{format(b.value)}</text>
            </g>
          );
        })}
        <line x1={LABEL_W} x2={LABEL_W + plotW} y1={axisY} y2={axisY} stroke="#8a8a8a" />
    </ChartFrame>
  );
}
