import { systemPrincipal } from '../auth/principal.js';
import { type Clock, PeriodicTask } from '../clock/index.js';
import type { NotificationKind, OutboundNotification, Outbox } from '../notify/index.js';
import type { Db } from '../store/index.js';
import type { IncidentService, IncidentView } from './incident-service.js';
import { computeClocks, type Clock as RegulatoryClock } from './regulatory-clocks.js';

const PRINCIPAL = systemPrincipal('clock-reminders');
/** Incidents are watched until closed, and closed ones while their later reports can still fall due. */
const WATCH_CLOSED_FOR_MS = 62 * 86_400_000;

interface ReminderLogger {
  warn(object: object, message: string): void;
}

export interface ReminderTick {
  readonly incidents: number;
  readonly queued: number;
}

/**
 * Reminds people before each reporting deadline and tells them when one passes: every tick evaluates the clocks of
 * the incidents still in play and queues a notification the first time a clock is at risk, due, or missed, and the
 * first time an impact tolerance crosses a warning or is breached. The idempotency key holds the clock, the state
 * and the deadline, so each is told once even across restarts and replicas.
 */
export class ClockReminders {
  private readonly task = PeriodicTask.create(
    () => this.tick(),
    (error) => this.logger?.warn({ err: error }, 'reporting clock reminders failed'),
  );

  private constructor(
    private readonly db: Db,
    private readonly incidents: IncidentService,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly logger: ReminderLogger | undefined,
  ) {}

  static create(deps: {
    readonly db: Db;
    readonly incidents: IncidentService;
    readonly outbox: Outbox;
    readonly clock: Clock;
    readonly logger?: ReminderLogger | undefined;
  }): ClockReminders {
    return new ClockReminders(deps.db, deps.incidents, deps.outbox, deps.clock, deps.logger);
  }

  start(intervalMs: number): void {
    this.task.start(intervalMs);
  }

  async stop(): Promise<void> {
    await this.task.stop();
  }

  async tick(): Promise<ReminderTick> {
    const now = this.clock.now();
    const since = new Date(now.getTime() - WATCH_CLOSED_FOR_MS).toISOString();
    const rows = await this.db
      .selectFrom('incidents')
      .select('id')
      .where((eb) => eb.or([eb('status', '!=', 'closed'), eb('updated_at', '>=', since)]))
      .execute();
    let queued = 0;
    for (const { id } of rows) {
      const incident = await this.incidents.get(PRINCIPAL, id);
      const messages = computeClocks(this.incidents.clockInputOf(incident), now).flatMap((clock) =>
        reminderOf(incident, clock, now),
      );
      if (messages.length === 0) continue;
      await this.db.transaction().execute(async (tx) => {
        for (const { message, key } of messages) queued += await this.outbox.enqueue(tx, message, key);
      });
    }
    return { incidents: rows.length, queued };
  }
}

function reminderOf(
  incident: IncidentView,
  clock: RegulatoryClock,
  now: Date,
): Array<{ readonly message: OutboundNotification; readonly key: string }> {
  if (!('dueAt' in clock)) return [];
  let kind: NotificationKind;
  let state: string;
  let summary: string;
  const name = 'service' in clock ? `${clock.title} (${clock.service})` : clock.title;
  const subject = 'service' in clock ? clock.service : clock.report;
  if ('service' in clock) {
    if (clock.status === 'missed') {
      kind = 'clock.overdue';
      state = 'breached';
      summary = `${incident.id}: ${clock.service} is beyond its impact tolerance, breached at ${clock.dueAtLocal}`;
    } else if (clock.warningPercent !== undefined && clock.status !== 'met') {
      kind = 'clock.reminder';
      state = `warning-${clock.warningPercent}`;
      summary = `${incident.id}: ${clock.service} has been disrupted for ${clock.warningPercent} % of its impact tolerance; breach at ${clock.dueAtLocal}`;
    } else {
      return [];
    }
  } else if (clock.status === 'missed' && clock.submittedAt === undefined) {
    kind = 'clock.overdue';
    state = 'missed';
    summary = `${incident.id}: ${name} was due at ${clock.dueAtLocal} and has not been submitted; tell the competent authority why without delay`;
  } else if (clock.status === 'at-risk' || clock.status === 'due') {
    kind = 'clock.reminder';
    state = clock.status;
    summary = `${incident.id}: ${name} is due at ${clock.dueAtLocal} (${clock.source})`;
  } else {
    return [];
  }
  const message: OutboundNotification = {
    kind,
    incidentId: incident.id,
    title: incident.title,
    severity: incident.severity,
    services: incident.services.map((service) => service.name),
    summary,
    details: [
      { label: 'Regime', value: clock.regime },
      { label: 'Report', value: clock.report },
      { label: 'Due', value: `${clock.dueAtLocal} (${clock.dueAt})` },
    ],
    occurredAt: now.toISOString(),
    // A deadline is its own PagerDuty alert, so that a reminder never reopens the incident's resolved one.
    pagerDuty: { action: 'trigger', dedupKey: `sre-agent/${incident.id}/${clock.regime}/${subject}` },
  };
  return [{ message, key: `${incident.id}:${clock.regime}:${subject}:${state}:${clock.dueAt}` }];
}
