import { IANAZone } from 'luxon';
import { z } from 'zod';
import { GitHubGateConfigSchema } from '../changes/integrations/github-config.js';
import { parseDuration } from '../clock/duration.js';
import { NotificationsConfigSchema } from '../notify/notify-config.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const ConfigSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.coerce.number().int().min(0).max(65_535).default(8080),
      /** Largest request body accepted, in bytes. */
      bodyLimit: z.coerce
        .number()
        .int()
        .min(1_024)
        .max(64 * 1024 * 1024)
        .default(1024 * 1024),
      /** Seconds to let requests in flight finish after SIGTERM. */
      shutdownGrace: z.coerce.number().int().min(0).max(600).default(10),
    })
    .prefault({}),
  storage: z
    .strictObject({
      dataDir: z.string().min(1).default('.sre-agent'),
      databaseUrl: z
        .string()
        .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL' })
        .optional(),
      poolSize: z.coerce.number().int().min(1).max(200).default(10),
    })
    .prefault({}),
  catalogue: z
    .strictObject({
      path: z.string().min(1).default('catalogue'),
    })
    .prefault({}),
  ledger: z
    .strictObject({
      /** The checkpoint origin line: this log's identity, a schema-less URL such as bank.example/sre-agent. */
      origin: z
        .string()
        .regex(/^[^\s+]+$/, { error: 'must be non-empty with no spaces or "+", such as bank.example/sre-agent' })
        .default('sre-agent.local/ledger'),
      /** A file of Ed25519 signer keys, one per line; `<dataDir>/ledger.key` by default (created on first start). */
      keyFile: z.string().min(1).optional(),
      /** Signer keys given directly, one per line; wins over keyFile. Set it from the environment, never a file. */
      key: z.string().min(1).optional(),
      /** Longest time between new entries and a signed checkpoint covering them. */
      checkpointInterval: z
        .string()
        .refine(
          (text) => {
            const parsed = parseDuration(text);
            return parsed.ok && parsed.milliseconds >= 10 && parsed.milliseconds <= 3_600_000;
          },
          { error: 'must be a duration from 10ms to 1h, such as 1s' },
        )
        .default('1s'),
    })
    .prefault({}),
  slo: z
    .strictObject({
      /** Where SLIs come from: the embedded per-minute store fed by pushes, or a Prometheus-compatible query API. */
      telemetry: z.enum(['embedded', 'prometheus']).default('embedded'),
      /** The Prometheus (Thanos, Mimir, VictoriaMetrics) base URL, for telemetry: prometheus. */
      prometheusUrl: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
      /** How often every SLO is evaluated. */
      evaluationInterval: z
        .string()
        .refine(
          (text) => {
            const parsed = parseDuration(text);
            return parsed.ok && parsed.milliseconds >= 1_000 && parsed.milliseconds <= 3_600_000;
          },
          { error: 'must be a duration from 1s to 1h, such as 1m' },
        )
        .default('1m'),
    })
    .prefault({})
    .refine((slo) => slo.telemetry !== 'prometheus' || slo.prometheusUrl !== undefined, {
      error: 'telemetry: prometheus needs prometheusUrl',
      path: ['prometheusUrl'],
    }),
  alerts: z
    .strictObject({
      /** The alert label that names a catalogue service. */
      serviceLabel: z
        .string()
        .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'must be a Prometheus label name such as service' })
        .default('service'),
      /** An open incident with no firing alert and no alert activity for this long takes no new alerts. */
      correlationWindow: z
        .string()
        .refine(
          (text) => {
            const parsed = parseDuration(text);
            return parsed.ok && parsed.milliseconds >= 60_000 && parsed.milliseconds <= 7 * 86_400_000;
          },
          { error: 'must be a duration from 1m to 7d, such as 1h' },
        )
        .default('1h'),
    })
    .prefault({}),
  /** Where incident notifications and reporting reminders go: channels, and routes by team, severity and kind. */
  notifications: NotificationsConfigSchema.prefault({}),
  changes: z
    .strictObject({
      /**
       * The pre-approved templates a standard change may follow: only these skip individual approval. Without any, no
       * change can be standard.
       */
      standardTemplates: z
        .array(
          z.strictObject({
            name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
              error: 'must be a lower-case name such as rotate-tls-certificate',
            }),
            description: z.string().min(1).max(2_000),
            /** The services it may be used on; all when absent. */
            services: z.array(z.string().min(1).max(63)).min(1).optional(),
          }),
        )
        .default([])
        .refine((templates) => new Set(templates.map((template) => template.name)).size === templates.length, {
          error: 'template names must be unique',
        }),
    })
    .prefault({}),
  /** An OpenAI-compatible chat-completions endpoint for `sre-agent ask`; without a URL, there is no model. */
  llm: z
    .strictObject({
      url: z
        .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL such as http://127.0.0.1:11434/v1' })
        .optional(),
      model: z.string().min(1).max(200).default('local-model'),
      /** Set it from the environment, never a file. */
      apiKey: z.string().min(1).optional(),
      maxSteps: z.coerce.number().int().min(1).max(50).default(8),
      timeout: z
        .string()
        .refine(
          (text) => {
            const parsed = parseDuration(text);
            return parsed.ok && parsed.milliseconds >= 1_000 && parsed.milliseconds <= 600_000;
          },
          { error: 'must be a duration from 1s to 10m, such as 60s' },
        )
        .default('120s'),
    })
    .prefault({}),
  /** The MCP server at /mcp on the API server. */
  mcp: z
    .strictObject({
      /** Offers the write tools (declare an incident, add an update, create a change) to tokens allowed them. */
      allowWrites: z.boolean().default(false),
      /** Host values besides the listen address and loopback names, such as sre-agent.internal:443 behind a proxy. */
      allowedHosts: z.array(z.string().min(1).max(255)).default([]),
      /** Browser origins allowed besides the server's own, such as https://console.example. */
      allowedOrigins: z.array(z.url({ protocol: /^https?$/ })).default([]),
    })
    .prefault({}),
  /** The GitHub App behind custom deployment protection rules; absent, the GitHub gate is off. */
  github: GitHubGateConfigSchema,
  logging: z
    .strictObject({
      level: z.enum(LOG_LEVELS).default('info'),
    })
    .prefault({}),
  display: z
    .strictObject({
      timeZone: z
        .string()
        .refine((zone) => IANAZone.isValidZone(zone), { error: 'must be an IANA time zone such as Europe/London' })
        .default('Europe/London'),
    })
    .prefault({}),
});

export type Config = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
