/**
 * A small grouped bar chart in plain SVG (no chart library): one group per metric, one bar per
 * variant. Values are drawn on a shared 0..max scale; each bar has a <title> for screen readers and hover.
 */
// Twelve distinguishable colours (a legend entry per variant; evaluations compare up to a dozen).
const PALETTE = ["#005bd3", "#8051ff", "#29845a", "#b98900", "#e51c00", "#00a0ac", "#616161", "#c4368c", "#6b4f00", "#0f2f5c", "#7fb800", "#ff8a00"];
const LEGEND_COLUMNS = 4;
const LEGEND_ROW = 18;

export interface BarSeries {
  name: string;
  values: number[];
}

export function BarChart({ groups, series, title, width = 720, plotHeight = 220 }: { groups: string[]; series: BarSeries[]; title: string; width?: number; plotHeight?: number }) {
  const legendRows = Math.ceil(series.length / LEGEND_COLUMNS);
  const pad = { top: 16, right: 12, bottom: 36 + legendRows * LEGEND_ROW, left: 44 };
  const height = plotHeight + pad.top + pad.bottom;
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values.filter(Number.isFinite)));
  const groupW = plotW / Math.max(1, groups.length);
  const barW = Math.max(2, (groupW * 0.8) / Math.max(1, series.length));
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  const y = (v: number) => pad.top + plotH - (v / max) * plotH;
  return (
    <figure style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={title} data-chart="evaluation">
        <title>{title}</title>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.left} x2={width - pad.right} y1={y(t)} y2={y(t)} stroke="#e3e3e3" />
            <text x={pad.left - 6} y={y(t) + 4} fontSize="11" textAnchor="end" fill="#4a4a4a">{t.toFixed(max < 1 ? 2 : 0)}</text>
          </g>
        ))}
        {groups.map((g, gi) => (
          <g key={g}>
            {series.map((s, si) => {
              const v = s.values[gi];
              if (!Number.isFinite(v)) return null;
              const x = pad.left + gi * groupW + groupW * 0.1 + si * barW;
              return (
                <rect key={s.name} x={x} y={y(v)} width={barW - 1} height={pad.top + plotH - y(v)} fill={PALETTE[si % PALETTE.length]}>
                  <title>{`${s.name} · ${g}: ${v.toFixed(4)}`}</title>
                </rect>
              );
            })}
            <text x={pad.left + gi * groupW + groupW / 2} y={height - pad.bottom + 16} fontSize="12" textAnchor="middle" fill="#303030">{g}</text>
          </g>
        ))}
        {series.map((s, si) => (
          <g key={s.name} transform={`translate(${pad.left + (si % LEGEND_COLUMNS) * ((width - pad.left) / LEGEND_COLUMNS)}, ${height - pad.bottom + 32 + Math.floor(si / LEGEND_COLUMNS) * LEGEND_ROW})`}>
            <rect width="10" height="10" fill={PALETTE[si % PALETTE.length]} />
            <text x="14" y="9" fontSize="11" fill="#303030">{s.name.length > 24 ? s.name.slice(0, 23) + "…" : s.name}</text>
          </g>
        ))}
      </svg>
    </figure>
  );
}
