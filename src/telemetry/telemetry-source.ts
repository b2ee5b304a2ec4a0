import type { SloDefinition } from '../slo/types.js';

/** One SLI over one window: the error ratio, and how many events it rests on when the source knows. */
export interface WindowSli {
  /** Bad events over all events in the window; undefined when the window holds no data. */
  readonly errorRatio: number | undefined;
  /** Events in the window (the denominator); undefined when the source has only a ratio. */
  readonly events: number | undefined;
}

/** A request for the SLI of one SLO over several windows that all end at the same time. */
export interface WindowRequest {
  readonly slo: SloDefinition;
  /** Window lengths in milliseconds. */
  readonly windows: ReadonlyArray<number>;
}

/** Where SLIs come from: the embedded per-minute store, or a Prometheus-compatible query API. */
export interface TelemetrySource {
  readonly kind: 'embedded' | 'prometheus';
  /**
   * For every requested SLO and window, the SLI over [end - window, end). Answers every SLO asked about; an SLO
   * with no data has `errorRatio` undefined in every window.
   */
  windows(requests: ReadonlyArray<WindowRequest>, end: Date): Promise<Map<string, Map<number, WindowSli>>>;
}
