/** Which tone each status takes; the words always go with it. */

export type Tone = 'good' | 'warn' | 'bad' | 'neutral' | 'info';

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
