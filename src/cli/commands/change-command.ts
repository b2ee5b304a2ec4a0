import { readFile, writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { Principal } from '../../auth/index.js';
import { ChangeBody, changeInputOf } from '../../changes/change-input.js';
import type { ChangePopulationEntry, ChangeView } from '../../changes/change-service.js';
import { DELIVERY_GROUPINGS, type DeliveryGrouping } from '../../changes/delivery-metrics.js';
import { CHANGE_STATUSES, type ChangeStatus } from '../../changes/types.js';
import { InputError } from '../../errors/index.js';
import type { Runtime } from '../../runtime/create-runtime.js';
import type { CliIo } from '../cli-io.js';
import { type StorageFlags, withStorageOptions } from './config-options.js';
import { withRuntime } from './with-runtime.js';

type Flags = StorageFlags & { readonly json?: boolean };

/** `change …`: change requests on the data directory, as the local user. */
export function addChangeCommand(program: Command, io: CliIo): void {
  const principal: Principal = { kind: 'local', user: io.user };
  const change = program
    .command('change')
    .description('raise, approve and follow change requests; export the change population for auditors');

  const withChanges = async (flags: Flags, work: (runtime: Runtime) => Promise<void>): Promise<void> =>
    withRuntime(io, flags, async (runtime) => {
      await runtime.catalogue.readForCommand();
      await work(runtime);
    });
  const show = (flags: Flags, view: ChangeView) =>
    io.stdout(flags.json === true ? `${JSON.stringify(view, null, 2)}\n` : formatChange(view));
  const command = (name: string, description: string) =>
    withStorageOptions(change.command(name).description(description).option('--json', 'print JSON'));

  command('create', 'raise a change request from a YAML or JSON file (the fields of POST /api/v1/changes)')
    .requiredOption('-f, --file <file>', 'the change request')
    .action(async (flags: Flags & { file: string }) => {
      const input = await readChange(flags.file);
      await withChanges(flags, async (runtime) => show(flags, await runtime.changes.create(principal, input)));
    });

  command('edit', 'replace a change request from a file; approvals of the earlier content no longer count')
    .argument('<id>')
    .requiredOption('-f, --file <file>', 'the change request')
    .action(async (id: string, flags: Flags & { file: string }) => {
      const input = await readChange(flags.file);
      await withChanges(flags, async (runtime) => show(flags, await runtime.changes.edit(principal, id, input)));
    });

  command('list', 'change requests, newest first')
    .addOption(new Option('--status <status>').choices(CHANGE_STATUSES))
    .option('--service <name>')
    .action(async (flags: Flags & { status?: ChangeStatus; service?: string }) => {
      await withChanges(flags, async (runtime) => {
        const list = await runtime.changes.list(principal, { status: flags.status, service: flags.service });
        if (flags.json === true) return io.stdout(`${JSON.stringify(list, null, 2)}\n`);
        io.stdout(
          list.length === 0
            ? 'no changes\n'
            : `${list
                .map(
                  (item) =>
                    `${item.id.padEnd(8)} ${item.content.type.padEnd(9)} ${item.status.padEnd(12)} ${(item.risk?.level ?? '-').padEnd(8)} ${item.content.title} [${item.content.services.join(', ')}]`,
                )
                .join('\n')}\n`,
        );
      });
    });

  command('show', 'one change: its risk factor by factor, approvals and what they lack')
    .argument('<id>')
    .action(async (id: string, flags: Flags) => {
      await withChanges(flags, async (runtime) => show(flags, await runtime.changes.get(principal, id)));
    });

  for (const [name, description] of [
    ['submit', 'submit for approval: computes the risk and the approvals it needs'],
    ['start', 'start implementing (an approved change, or an emergency change before approval)'],
  ] as const) {
    command(name, description)
      .argument('<id>')
      .action(async (id: string, flags: Flags) => {
        await withChanges(flags, async (runtime) => show(flags, await runtime.changes[name](principal, id)));
      });
  }

  command('approve', 'approve as yourself; the requester and the implementer may not')
    .argument('<id>')
    .option('--comment <text>')
    .option('--as-board', 'approve for the change advisory board')
    .action(async (id: string, flags: Flags & { comment?: string; asBoard?: boolean }) => {
      await withChanges(flags, async (runtime) =>
        show(flags, await runtime.changes.approve(principal, id, { comment: flags.comment, asBoard: flags.asBoard })),
      );
    });

  command('reject', 'reject, with the reason')
    .argument('<id>')
    .requiredOption('--reason <text>')
    .action(async (id: string, flags: Flags & { reason: string }) => {
      await withChanges(flags, async (runtime) =>
        show(flags, await runtime.changes.reject(principal, id, flags.reason)),
      );
    });

  command('complete', 'record the outcome of an implementation')
    .argument('<id>')
    .addOption(
      new Option('--outcome <outcome>').choices(['implemented', 'failed', 'rolled-back']).makeOptionMandatory(),
    )
    .option('--notes <text>')
    .action(
      async (id: string, flags: Flags & { outcome: 'implemented' | 'failed' | 'rolled-back'; notes?: string }) => {
        await withChanges(flags, async (runtime) =>
          show(flags, await runtime.changes.complete(principal, id, { outcome: flags.outcome, notes: flags.notes })),
        );
      },
    );

  command('review', 'post-implementation review')
    .argument('<id>')
    .requiredOption('--notes <text>')
    .action(async (id: string, flags: Flags & { notes: string }) => {
      await withChanges(flags, async (runtime) =>
        show(flags, await runtime.changes.review(principal, id, flags.notes)),
      );
    });

  withStorageOptions(
    change
      .command('metrics')
      .description(
        'DevOps Research and Assessment four keys (not the DORA regulation) from recorded deployments, with 2024 bands',
      )
      .option('--from <time>', 'ISO 8601, inclusive (default 90 days before --to)')
      .option('--to <time>', 'ISO 8601, exclusive (default now)')
      .option('--service <name>')
      .option('--team <name>')
      .addOption(new Option('--by <grouping>').choices(DELIVERY_GROUPINGS).default('overall'))
      .option('--json', 'print JSON'),
  ).action(
    async (
      flags: StorageFlags & {
        from?: string;
        to?: string;
        service?: string;
        team?: string;
        by: DeliveryGrouping;
        json?: boolean;
      },
    ) => {
      const to = flags.to === undefined ? undefined : timeOf('--to', flags.to);
      const from = flags.from === undefined ? undefined : timeOf('--from', flags.from);
      await withChanges(flags, async (runtime) => {
        const report = await runtime.deployments.metrics(principal, {
          from,
          to,
          service: flags.service,
          team: flags.team,
          groupBy: flags.by,
        });
        if (flags.json === true) return io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        io.stdout(`Four keys from ${report.period.from} to ${report.period.to} (${report.bandsSource})\n`);
        for (const group of report.groups) {
          const name =
            group.group.by === 'overall'
              ? 'overall'
              : ((group.group.by === 'service' ? group.group.service : group.group.team) ?? 'no team');
          io.stdout(`${name}: ${group.deployments} deployments\n`);
          const metrics = [
            ['deployment frequency', group.deploymentFrequency],
            ['change lead time', group.changeLeadTime],
            ['change fail rate', group.changeFailRate],
            ['failed deployment recovery time', group.failedDeploymentRecoveryTime],
          ] as const;
          for (const [title, metric] of metrics) {
            io.stdout(
              metric.status === 'measured'
                ? `  ${title}: ${metric.band} (${JSON.stringify(metric.value)})\n`
                : `  ${title}: no data (${metric.reason})\n`,
            );
          }
        }
      });
    },
  );

  withStorageOptions(
    change
      .command('export')
      .description(
        'the change population of a period for auditors: approvals, verdicts and the ledger indexes that prove them',
      )
      .requiredOption('--from <time>', 'ISO 8601, inclusive')
      .requiredOption('--to <time>', 'ISO 8601, exclusive')
      .addOption(new Option('--format <format>').choices(['csv', 'json']).default('csv'))
      .option('-o, --output <file>', 'write here instead of stdout'),
  ).action(async (flags: StorageFlags & { from: string; to: string; format: 'csv' | 'json'; output?: string }) => {
    const from = timeOf('--from', flags.from);
    const to = timeOf('--to', flags.to);
    await withChanges(flags, async (runtime) => {
      const population = await runtime.changes.population(principal, from, to);
      const text = flags.format === 'json' ? `${JSON.stringify(population, null, 2)}\n` : csvOf(population);
      if (flags.output === undefined) io.stdout(text);
      else await writeFile(flags.output, text);
      io.stderr(
        `${population.length} change${population.length === 1 ? '' : 's'} raised from ${from.toISOString()} to ${to.toISOString()}\n`,
      );
    });
  });
}

async function readChange(file: string) {
  let value: unknown;
  try {
    value = parseYaml(await readFile(file, 'utf8'));
  } catch (error: unknown) {
    throw new InputError(
      `${file} is not readable YAML or JSON: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
  const parsed = ChangeBody.safeParse(value);
  if (!parsed.success) {
    throw new InputError(`${file} is not a valid change request`, {
      details: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  return changeInputOf(parsed.data);
}

function timeOf(flag: string, text: string): Date {
  const time = new Date(text);
  if (Number.isNaN(time.getTime()) || !/^\d{4}-\d\d-\d\d/.test(text)) {
    throw new InputError(`${flag} "${text}" is not an ISO 8601 time`, {
      details: [{ path: flag, message: 'must be an ISO 8601 time' }],
    });
  }
  return time;
}

function formatChange(view: ChangeView): string {
  const lines = [
    `${view.id} ${view.content.type} change, ${view.status}: ${view.content.title}`,
    `  services: ${view.content.services.join(', ')}; requested by ${view.requester}; implementer ${view.content.implementer}`,
    ...(view.content.plannedWindow === null
      ? []
      : [`  planned ${view.content.plannedWindow.start} to ${view.content.plannedWindow.end}`]),
    ...(view.risk === undefined
      ? ['  risk: not assessed until submitted']
      : [
          `  risk: ${view.risk.level} (${view.risk.score} points)`,
          ...view.risk.factors.map(
            (factor) => `    ${factor.points >= 0 ? '+' : ''}${factor.points} ${factor.explanation}`,
          ),
        ]),
    ...view.approvals.map(
      (approval) =>
        `  approved by ${approval.approver} at ${approval.at}${approval.asBoard ? ' for the board' : ''}${approval.contentHash === view.contentHash ? '' : ' (earlier content: does not count)'}`,
    ),
    view.approvalsSatisfied ? '  approvals: complete' : `  approvals still needed: ${view.missingApprovals.join('; ')}`,
    ...(view.retrospectiveDueAt === undefined || view.approvedAt !== undefined
      ? []
      : [
          `  retrospective approval due by ${view.retrospectiveDueAt}${view.retrospectiveMissedAt === undefined ? '' : ' (missed)'}`,
        ]),
  ];
  return `${lines.join('\n')}\n`;
}

const CSV_COLUMNS = [
  'id',
  'type',
  'status',
  'title',
  'services',
  'requester',
  'implementer',
  'risk',
  'created_at',
  'submitted_at',
  'approved_at',
  'started_at',
  'completed_at',
  'reviewed_at',
  'retrospective_due_at',
  'retrospective_missed_at',
  'approvals',
  'verdicts',
  'ledger_indexes',
] as const;

function csvOf(entries: ReadonlyArray<ChangePopulationEntry>): string {
  const cell = (value: string | undefined): string => {
    const text = value ?? '';
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const rows = entries.map((entry) =>
    [
      entry.id,
      entry.type,
      entry.status,
      entry.title,
      entry.services.join(' '),
      entry.requester,
      entry.implementer,
      entry.risk,
      entry.createdAt,
      entry.submittedAt,
      entry.approvedAt,
      entry.startedAt,
      entry.completedAt,
      entry.reviewedAt,
      entry.retrospectiveDueAt,
      entry.retrospectiveMissedAt,
      entry.approvals
        .map((approval) => `${approval.approver}@${approval.at}${approval.current ? '' : ' (voided)'}`)
        .join(' '),
      entry.verdicts.map((verdict) => `${verdict.decision}@${verdict.at}#${verdict.ledgerIndex}`).join(' '),
      entry.ledgerIndexes.join(' '),
    ]
      .map(cell)
      .join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}
