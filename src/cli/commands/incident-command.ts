import { type Command, Option } from 'commander';
import { DateTime } from 'luxon';
import type { Principal } from '../../auth/index.js';
import { InputError } from '../../errors/index.js';
import {
  INCIDENT_REPORT_KINDS,
  INCIDENT_ROLES,
  INCIDENT_STATUSES,
  type IncidentReportKind,
  type IncidentRole,
  type IncidentService,
  type IncidentStatus,
  type IncidentSummary,
  type IncidentView,
  RECORDABLE_TIMESTAMPS,
  type RecordableTimestamp,
  type Clock as RegulatoryClock,
  SEVERITIES,
  type Severity,
} from '../../incidents/index.js';
import type { Runtime } from '../../runtime/create-runtime.js';
import type { CliIo } from '../cli-io.js';
import { type StorageFlags, withStorageOptions } from './config-options.js';
import { withRuntime } from './with-runtime.js';

type Flags = StorageFlags & { readonly catalogue?: string; readonly json?: boolean };

/** `incident …`: people's incident commands, on the data directory, as the local user. */
export function addIncidentCommand(program: Command, io: CliIo): void {
  const principal: Principal = { kind: 'local', user: io.user };
  const incident = program
    .command('incident')
    .description('declare, follow and resolve incidents; classify them and read their regulatory clocks');

  // The runtime's own incident service, on the catalogue as the files say now (a command records no load).
  const withIncidents = async <T>(
    flags: Flags,
    work: (incidents: IncidentService, runtime: Runtime) => Promise<T>,
  ): Promise<T> =>
    withRuntime(
      io,
      flags,
      async (runtime) => {
        await runtime.catalogue.readForCommand();
        return work(runtime.incidents, runtime);
      },
      flags.catalogue === undefined ? {} : { catalogue: { path: flags.catalogue } },
    );

  const show = (flags: Flags, runtime: Runtime, view: IncidentView): void => {
    io.stdout(
      flags.json === true
        ? `${JSON.stringify(view, null, 2)}\n`
        : formatIncident(view, runtime.config.display.timeZone),
    );
  };

  const command = (name: string, description: string) =>
    withStorageOptions(
      incident
        .command(name)
        .description(description)
        .option('--catalogue <path>', 'catalogue file or directory (default from the configuration)')
        .option('--json', 'print JSON'),
    );

  command('declare', 'declare an incident on one or more catalogue services')
    .requiredOption('--title <title>', 'a short description of what is wrong')
    .requiredOption('--service <name>', 'an affected service (repeat for several)', collect, [])
    .addOption(new Option('--severity <severity>', 'default: from the severity policy').choices(SEVERITIES))
    .option('--occurred-at <time>', 'when it started, if known (ISO 8601)')
    .option('--aware-at <time>', 'when the organisation became aware (default now)')
    .option('--summary <text>', 'what is known so far')
    .action(
      async (
        flags: Flags & {
          title: string;
          service: string[];
          severity?: Severity;
          occurredAt?: string;
          awareAt?: string;
          summary?: string;
        },
      ) => {
        await withIncidents(flags, async (incidents, runtime) => {
          const view = await incidents.declare(principal, {
            title: flags.title,
            services: flags.service,
            severity: flags.severity,
            occurredAt: timeOf('--occurred-at', flags.occurredAt),
            awareAt: timeOf('--aware-at', flags.awareAt),
            summary: flags.summary,
          });
          show(flags, runtime, view);
        });
      },
    );

  command('list', 'incidents, newest first')
    .addOption(
      new Option('--status <status>', 'only this status; open: not resolved or closed').choices([
        ...INCIDENT_STATUSES,
        'open',
      ]),
    )
    .option('--service <name>', 'only incidents affecting this service')
    .action(async (flags: Flags & { status?: IncidentStatus | 'open'; service?: string }) => {
      await withIncidents(flags, async (incidents, runtime) => {
        const list = await incidents.list(principal, { status: flags.status, service: flags.service });
        io.stdout(
          flags.json === true
            ? `${JSON.stringify(list, null, 2)}\n`
            : formatList(list, runtime.config.display.timeZone),
        );
      });
    });

  command('show', 'one incident: status, times with who set them, services, roles, links, reports')
    .argument('<id>', 'such as INC-12')
    .option('--timeline', 'also print every ledger event of the incident and its alerts')
    .action(async (id: string, flags: Flags & { timeline?: boolean }) => {
      await withIncidents(flags, async (incidents, runtime) => {
        const view = await incidents.get(principal, id);
        if (flags.timeline !== true) return show(flags, runtime, view);
        const timeline = await incidents.timeline(principal, id);
        if (flags.json === true) return io.stdout(`${JSON.stringify({ ...view, timeline }, null, 2)}\n`);
        const zone = runtime.config.display.timeZone;
        io.stdout(formatIncident(view, zone));
        io.stdout('Timeline:\n');
        for (const event of timeline) io.stdout(`  ${local(event.time, zone)}  ${event.type}  by ${event.actor}\n`);
      });
    });

  command('ack', 'acknowledge an incident')
    .argument('<id>')
    .action(async (id: string, flags: Flags) => {
      await withIncidents(flags, async (incidents, runtime) =>
        show(flags, runtime, await incidents.acknowledge(principal, id)),
      );
    });

  command('update', 'post a status update, optionally with a new status or severity')
    .argument('<id>')
    .requiredOption('--message <text>', 'what changed, for the timeline and stakeholders')
    .addOption(new Option('--status <status>').choices(['investigating', 'identified', 'monitoring']))
    .addOption(new Option('--severity <severity>').choices(SEVERITIES))
    .action(async (id: string, flags: Flags & { message: string; status?: IncidentStatus; severity?: Severity }) => {
      await withIncidents(flags, async (incidents, runtime) =>
        show(
          flags,
          runtime,
          await incidents.update(principal, id, {
            message: flags.message,
            status: flags.status,
            severity: flags.severity,
          }),
        ),
      );
    });

  command('assign', 'give someone a role: commander, communications or operations')
    .argument('<id>')
    .addOption(new Option('--role <role>').choices(INCIDENT_ROLES).makeOptionMandatory())
    .requiredOption('--assignee <who>', 'a person or team member handle')
    .action(async (id: string, flags: Flags & { role: IncidentRole; assignee: string }) => {
      await withIncidents(flags, async (incidents, runtime) =>
        show(flags, runtime, await incidents.assign(principal, id, flags.role, flags.assignee)),
      );
    });

  command(
    'time',
    'record when the incident occurred, was first evidenced, became known, was mitigated, or its root cause was addressed',
  )
    .argument('<id>')
    .addOption(new Option('--timestamp <name>').choices(RECORDABLE_TIMESTAMPS).makeOptionMandatory())
    .requiredOption('--at <time>', 'ISO 8601 time')
    .action(async (id: string, flags: Flags & { timestamp: RecordableTimestamp; at: string }) => {
      await withIncidents(flags, async (incidents, runtime) =>
        show(
          flags,
          runtime,
          await incidents.recordTimestamp(principal, id, flags.timestamp, requiredTime('--at', flags.at)),
        ),
      );
    });

  command('resolve', 'resolve an incident; services not yet restored are restored now (or at --at)')
    .argument('<id>')
    .option('--at <time>', 'when service was restored in full (default now)')
    .option('--message <text>', 'the resolution')
    .action(async (id: string, flags: Flags & { at?: string; message?: string }) => {
      await withIncidents(flags, async (incidents, runtime) =>
        show(
          flags,
          runtime,
          await incidents.resolve(principal, id, { at: timeOf('--at', flags.at), message: flags.message }),
        ),
      );
    });

  command('close', 'close a resolved incident')
    .argument('<id>')
    .option('--message <text>')
    .action(async (id: string, flags: Flags & { message?: string }) => {
      await withIncidents(flags, async (incidents, runtime) =>
        show(flags, runtime, await incidents.close(principal, id, { message: flags.message })),
      );
    });

  command('classify', 'record the regulatory classification; the reporting clocks start from it')
    .argument('<id>')
    .option('--dora-major', 'a major ICT-related incident under DORA')
    .option('--gdpr', 'a personal-data breach (GDPR Art 33)')
    .option('--nis2', 'a significant incident under NIS2')
    .option('--uk', 'reasonably appears to meet a UK operational incident reporting threshold')
    .option('--classified-at <time>', 'when the classification was made (default now)')
    .option('--root-cause <text>', 'the apparent root cause, for recurring-incident assessment')
    .action(
      async (
        id: string,
        flags: Flags & {
          doraMajor?: boolean;
          gdpr?: boolean;
          nis2?: boolean;
          uk?: boolean;
          classifiedAt?: string;
          rootCause?: string;
        },
      ) => {
        await withIncidents(flags, async (incidents, runtime) =>
          show(
            flags,
            runtime,
            await incidents.classify(principal, id, {
              classifiedAt: timeOf('--classified-at', flags.classifiedAt),
              regimes: {
                doraMajor: flags.doraMajor === true,
                gdprPersonalDataBreach: flags.gdpr === true,
                nis2Significant: flags.nis2 === true,
                ukOperationalIncident: flags.uk === true,
              },
              rootCause: flags.rootCause,
            }),
          ),
        );
      },
    );

  command('submitted', 'record a report as submitted to its authority; the clocks anchored on it move on')
    .argument('<id>')
    .addOption(
      new Option('--regime <regime>').choices(['dora', 'gdpr', 'nis2', 'uk-incident-reporting']).makeOptionMandatory(),
    )
    .requiredOption('--report <name>', 'such as initial, intermediate, final, notification, early-warning')
    .option('--at <time>', 'when it was submitted (default now)')
    .option('--reference <text>', "the authority's reference")
    .action(
      async (
        id: string,
        flags: Flags & {
          regime: 'dora' | 'gdpr' | 'nis2' | 'uk-incident-reporting';
          report: string;
          at?: string;
          reference?: string;
        },
      ) => {
        await withIncidents(flags, async (incidents, runtime) =>
          show(
            flags,
            runtime,
            await incidents.recordReport(principal, id, {
              regime: flags.regime,
              report: flags.report,
              submittedAt: timeOf('--at', flags.at),
              reference: flags.reference,
            }),
          ),
        );
      },
    );

  command('report', 'draft the post-incident review, or a DORA report, from the ledger and the incident record')
    .argument('<id>')
    .addOption(new Option('--kind <kind>', 'which draft').choices(INCIDENT_REPORT_KINDS).default('review'))
    .addOption(new Option('--format <format>').choices(['markdown', 'json']).default('markdown'))
    .action(async (id: string, flags: Flags & { kind: IncidentReportKind; format: 'markdown' | 'json' }) => {
      await withIncidents(flags, async (incidents) => {
        const report = await incidents.report(principal, id, flags.kind);
        io.stdout(
          flags.format === 'json' || flags.json === true ? `${JSON.stringify(report, null, 2)}\n` : report.markdown,
        );
        if (report.missing.length > 0) io.stderr(`to be completed before submission: ${report.missing.join(', ')}\n`);
      });
    });

  command('clocks', "the incident's regulatory reporting and impact-tolerance clocks")
    .argument('<id>')
    .option('--at <time>', 'evaluate at this time instead of now')
    .action(async (id: string, flags: Flags & { at?: string }) => {
      await withIncidents(flags, async (incidents, runtime) => {
        const result = await incidents.clocks(principal, id, timeOf('--at', flags.at));
        io.stdout(
          flags.json === true
            ? `${JSON.stringify(result, null, 2)}\n`
            : formatClocks(result.clocks, runtime.config.display.timeZone),
        );
      });
    });
}

function timeOf(flag: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  return requiredTime(flag, text);
}

function requiredTime(flag: string, text: string): Date {
  const parsed = DateTime.fromISO(text, { setZone: true });
  if (!parsed.isValid || !/(Z|[+-]\d\d:?\d\d)$/.test(text)) {
    throw new InputError(`${flag} "${text}" is not an ISO 8601 time with a zone, such as 2026-11-27T10:00:00Z`, {
      details: [{ path: flag, message: 'must be an ISO 8601 time with Z or an offset' }],
    });
  }
  return parsed.toJSDate();
}

function local(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat('yyyy-LL-dd HH:mm ZZZZ');
}

function formatList(list: ReadonlyArray<IncidentSummary>, zone: string): string {
  if (list.length === 0) return 'no incidents\n';
  return `${list
    .map(
      (item) =>
        `${item.id.padEnd(8)} ${item.severity} ${item.status.padEnd(13)} ${item.acknowledged ? 'acked  ' : 'unacked'} ` +
        `${local(item.declaredAt, zone)}  ${item.title} [${item.services.join(', ')}]`,
    )
    .join('\n')}\n`;
}

function formatIncident(view: IncidentView, zone: string): string {
  const lines = [
    `${view.id} ${view.severity} ${view.status}: ${view.title}`,
    `  declared ${local(view.declaredAt, zone)} by ${view.declaredBy} (${view.origin})`,
    ...(view.summary === undefined ? [] : [`  latest: ${view.summary}`]),
    ...Object.entries(view.timestamps).map(([name, set]) => `  ${name}: ${local(set.at, zone)} (set by ${set.by})`),
    ...Object.entries(view.roles).map(([role, held]) => `  ${role}: ${held.assignee}`),
    ...view.services.map(
      (service) =>
        `  service ${service.name}: degraded ${service.degradedAt === undefined ? 'not recorded' : local(service.degradedAt, zone)}` +
        `, restored ${service.restoredAt === undefined ? 'not yet' : local(service.restoredAt, zone)}`,
    ),
    ...(view.importantBusinessServices.length === 0
      ? []
      : [`  important business services: ${view.importantBusinessServices.join(', ')}`]),
    ...view.links.map((link) => `  linked ${link.kind} ${link.target} (${link.relation})`),
    ...view.reports.map(
      (report) => `  submitted ${report.regime} ${report.report} at ${local(report.submittedAt, zone)}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function formatClocks(clocks: ReadonlyArray<RegulatoryClock>, zone: string): string {
  const lines = clocks.map((clock) => {
    const name = 'service' in clock ? `${clock.regime} ${clock.service}` : `${clock.regime} ${clock.report}`;
    if (!('dueAt' in clock)) return `${name.padEnd(40)} ${clock.status.padEnd(15)} ${clock.reason}`;
    return `${name.padEnd(40)} ${clock.status.padEnd(15)} due ${local(clock.dueAt, zone)}`;
  });
  return `${lines.join('\n')}\n`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
