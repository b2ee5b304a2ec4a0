/** Status shown as words with a colour and a symbol: never colour alone (WCAG 1.4.1). */
import type { Tone } from '../lib/tone.js';

export { clockTone, decisionTone, riskTone, severityTone, type Tone } from '../lib/tone.js';

const SYMBOL: Record<Tone, string> = { good: '✓', warn: '!', bad: '✕', neutral: '–', info: 'i' };

export function Badge({ tone, label }: { readonly tone: Tone; readonly label: string }) {
  return (
    <span class={`badge badge-${tone}`}>
      <span aria-hidden="true">{SYMBOL[tone]} </span>
      {label}
    </span>
  );
}

/** A budget bar beside its number; the bar is decoration, the number is the information. */
export function BudgetBar({ remaining }: { readonly remaining: number | null | undefined }) {
  if (remaining === null || remaining === undefined || !Number.isFinite(remaining)) return null;
  const width = Math.max(0, Math.min(1, remaining)) * 100;
  const tone: Tone = remaining <= 0 ? 'bad' : remaining < 0.25 ? 'warn' : 'good';
  return (
    <span class="budget-bar" aria-hidden="true">
      <span class={`budget-fill budget-${tone}`} style={{ width: `${width}%` }} />
    </span>
  );
}
