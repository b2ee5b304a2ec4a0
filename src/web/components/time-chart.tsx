import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatTime } from '../format.js';

export interface ChartSeries {
  readonly label: string;
  readonly values: ReadonlyArray<number | null>;
  /** A colour that keeps 3:1 contrast against white (WCAG 1.4.11). */
  readonly colour: string;
  readonly dashed?: boolean;
  readonly format: (value: number | null) => string;
}

interface TimeChartProps {
  /** Names the chart for assistive technology and titles the table of its figures. */
  readonly title: string;
  /** Unix milliseconds, ascending. */
  readonly times: ReadonlyArray<number>;
  readonly series: ReadonlyArray<ChartSeries>;
  readonly timeZone: string;
  readonly height?: number;
  /** The largest number of rows shown in the table; longer series are thinned evenly. */
  readonly tableRows?: number;
  /** Labels on the value axis; the first series' format by default. */
  readonly axisFormat?: (value: number) => string;
}

const DAY_MS = 86_400_000;

/** UK-style axis labels in the organisation's zone: hours for a day or less, dates beyond (uPlot's default is US). */
function timeAxisFormatter(spanMs: number, timeZone: string): (milliseconds: number) => string {
  const options: Intl.DateTimeFormatOptions =
    spanMs <= DAY_MS
      ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
      : spanMs <= 2 * DAY_MS
        ? { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : { day: 'numeric', month: 'short' };
  const format = new Intl.DateTimeFormat('en-GB', { ...options, timeZone });
  return (milliseconds) => format.format(new Date(milliseconds));
}

/**
 * A line chart (uPlot on a canvas) with the same figures as a table underneath, since a canvas says nothing to a
 * screen reader. Times on the axis are in the organisation's zone.
 */
export function TimeChart({
  title,
  times,
  series,
  timeZone,
  height = 220,
  tableRows = 24,
  axisFormat,
}: TimeChartProps) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (element === null || times.length === 0) return undefined;
    const data: uPlot.AlignedData = [
      times.map((time) => time / 1000),
      ...series.map((line) => line.values.map((value) => value)),
    ];
    // One formatter per chart, not one per redraw: uPlot asks for labels on every resize and cursor-driven redraw.
    const timeLabel = timeAxisFormatter((times.at(-1) ?? 0) - (times[0] ?? 0), timeZone);
    const chart = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height,
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), timeZone),
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
        series: [
          {
            label: 'Time',
            value: (_chart, seconds) =>
              seconds === null ? '—' : formatTime(new Date(seconds * 1000).toISOString(), timeZone),
          },
          ...series.map((line) => ({
            label: line.label,
            stroke: line.colour,
            width: 2,
            ...(line.dashed === true ? { dash: [6, 4] } : {}),
            spanGaps: false,
            // The legend shows the value under the cursor; with no cursor on the chart there is none to show.
            value: (_chart: uPlot, value: number | null) => (value === null ? '—' : line.format(value)),
          })),
        ],
        axes: [
          {
            space: 90,
            values: (_chart, ticks) => ticks.map((tick) => timeLabel(tick * 1000)),
          },
          {
            values: (_chart, ticks) => ticks.map((tick) => (axisFormat ?? series[0]?.format ?? String)(tick)),
            size: 80,
          },
        ],
      },
      data,
      element,
    );
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(280, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [times, series, timeZone, height, axisFormat]);

  const step = Math.max(1, Math.ceil(times.length / tableRows));
  const rows = times.map((time, index) => ({ time, index })).filter(({ index }) => index % step === 0);

  return (
    <figure class="chart">
      <div ref={container} role="img" aria-label={`${title}: chart; the figures follow as a table`} />
      <details>
        <summary>{title}: figures as a table</summary>
        <table>
          <caption class="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Time ({timeZone})</th>
              {series.map((line) => (
                <th scope="col" key={line.label}>
                  {line.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(({ time, index }) => (
              <tr key={time}>
                <th scope="row">{formatTime(new Date(time).toISOString(), timeZone)}</th>
                {series.map((line) => (
                  <td key={line.label}>{line.format(line.values[index] ?? null)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
