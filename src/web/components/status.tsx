/** Status shown as words with a colour and a symbol: never colour alone (WCAG 1.4.1). */

export type Tone = 'good' | 'warn' | 'bad' | 'neutral' | 'info';

const SYMBOL: Record<Tone, string> = { good: '✓', warn: '!', bad: '✕', neutral: '–', info: 'i' };

export function Badge({ tone, label }: { readonly tone: Tone; readonly label: string }) {
  return (
    <span class={`badge badge-${tone}`}>
      <span aria-hidden="true">{SYMBOL[tone]} </span>
      {label}
    </span>
  );
}

const CLOCK_TONES: Record<string, Tone> = {
  pending: 'info',
  'at-risk': 'warn',
  due: 'bad',
  missed: 'bad',
  met: 'good',
  'awaiting-anchor': 'neutral',
  'not-applicable': 'neutral',
};

export function clockTone(status: string): Tone {
  return CLOCK_TONES[status] ?? 'neutral';
}

const SEVERITY_TONES: Record<string, Tone> = { SEV1: 'bad', SEV2: 'bad', SEV3: 'warn', SEV4: 'info', SEV5: 'neutral' };

export function severityTone(severity: string): Tone {
  return SEVERITY_TONES[severity] ?? 'neutral';
}

const DECISION_TONES: Record<string, Tone> = { allow: 'good', hold: 'warn', deny: 'bad' };

export function decisionTone(decision: string): Tone {
  return DECISION_TONES[decision] ?? 'neutral';
}

const RISK_TONES: Record<string, Tone> = { low: 'good', medium: 'warn', high: 'bad', critical: 'bad' };

export function riskTone(level: string): Tone {
  return RISK_TONES[level] ?? 'neutral';
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
