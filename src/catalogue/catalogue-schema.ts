import { z } from 'zod';
import { parseDuration } from '../clock/duration.js';
import { isCountryCode, isCurrencyCode, isTimeZone, isValidLei } from './identifiers.js';

/**
 * The shape of one `apiVersion: sre-agent/v1`, `kind: Catalogue` document as written in YAML.
 * Cross-document rules (references, duplicates, cycles) live in validate-catalogue.ts.
 */

export const CATALOGUE_API_VERSION = 'sre-agent/v1';

const NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const Name = z.string().regex(NAME_PATTERN, {
  error: 'must be 1 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit',
});

const Text = z.string().trim().min(1, { error: 'must not be empty' });

const Duration = z.string().transform((text, ctx) => {
  const parsed = parseDuration(text);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.message, input: text });
    return z.NEVER;
  }
  return parsed.milliseconds;
});

const Lei = z.string().refine(isValidLei, {
  error: 'is not a valid LEI (ISO 17442: 20 characters ending in two check digits)',
});

const TimeZone = z.string().refine(isTimeZone, { error: 'is not an IANA time zone such as Europe/London' });

const Url = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' });

export const OrganisationSchema = z.strictObject({
  name: Text,
  lei: Lei.optional(),
  timeZone: TimeZone.default('Europe/London'),
  countries: z
    .array(
      z.string().refine(isCountryCode, {
        error: 'is not an ISO 3166-1 alpha-2 country code such as GB or IE (the United Kingdom is GB, not UK)',
      }),
    )
    .min(1, { error: 'must list at least one country of operation' }),
  entity: z
    .strictObject({
      creditInstitution: z.boolean().default(false),
      paymentServiceProvider: z.boolean().default(false),
      nis2: z.enum(['essential', 'important', 'none']).default('none'),
      ukEnhancedReporting: z.boolean().default(false),
    })
    .default({ creditInstitution: false, paymentServiceProvider: false, nis2: 'none', ukEnhancedReporting: false }),
});

export const TeamSchema = z.strictObject({
  name: Name,
  displayName: Text.optional(),
  members: z.array(Text).default([]),
  channels: z
    .array(
      z.strictObject({
        type: z.enum(['slack', 'teams', 'email', 'pagerduty', 'webhook', 'phone']),
        target: Text,
      }),
    )
    .default([]),
  escalation: z
    .array(
      z.strictObject({
        after: Duration,
        contacts: z.array(Text).min(1, { error: 'must name at least one contact' }),
      }),
    )
    .default([]),
});

const DependencySchema = z.union(
  [Name, z.strictObject({ service: Name, kind: z.enum(['hard', 'soft']).default('hard') })],
  { error: 'must be a service name or { service, kind }' },
);

export const ServiceSchema = z.strictObject({
  name: Name,
  displayName: Text.optional(),
  team: Name,
  tier: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)], {
    error: 'must be 1, 2, 3 or 4 (1 is the most critical)',
  }),
  description: Text,
  runbook: Url.optional(),
  dependencies: z.array(DependencySchema).default([]),
  thirdParties: z.array(Name).default([]),
  regulatoryScope: z.array(z.enum(['dora-cif', 'pci', 'personal-data', 'nis2', 'sox'])).default([]),
  rto: Duration.optional(),
  rpo: Duration.optional(),
});

export const ImportantBusinessServiceSchema = z.strictObject({
  name: Name,
  description: Text,
  services: z.array(Name).default([]),
  impactTolerance: z.strictObject({
    maxTolerableDisruption: Duration,
    customersAffected: z.int().positive().optional(),
    transactionCount: z.int().positive().optional(),
    transactionValue: z
      .strictObject({
        amount: z.number().positive(),
        currency: z.string().refine(isCurrencyCode, { error: 'is not an ISO 4217 currency code such as GBP' }),
      })
      .optional(),
  }),
  regulators: z.array(z.enum(['FCA', 'PRA', 'BoE', 'ECB', 'CBI', 'EBA', 'ICO', 'PSR'])).default([]),
});

export const ThirdPartySchema = z.strictObject({
  name: Name,
  lei: Lei.optional(),
  criticality: z.enum(['critical', 'high', 'medium', 'low']),
  description: Text.optional(),
  services: z.array(Name).default([]),
});

const FreezeScopeSchema = z.union(
  [
    z.literal('all'),
    z.strictObject({
      tiers: z.array(z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)])).min(1),
    }),
    z.strictObject({ services: z.array(Name).min(1) }),
  ],
  { error: 'must be "all", { tiers: [...] } or { services: [...] }' },
);

const LOCAL_OR_OFFSET_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?$/;

const DateTimeText = z.string().regex(LOCAL_OR_OFFSET_DATE_TIME, {
  error: 'must be an ISO 8601 date and time such as 2026-12-18T17:00 (local to timeZone) or 2026-12-18T17:00Z',
});

export const FreezeWindowSchema = z
  .strictObject({
    name: Name,
    reason: Text,
    scope: FreezeScopeSchema.default('all'),
    timeZone: TimeZone.optional(),
    start: DateTimeText.optional(),
    end: DateTimeText.optional(),
    recurring: z
      .strictObject({
        cron: Text,
        duration: Duration,
      })
      .optional(),
  })
  .superRefine((window, ctx) => {
    const once = window.start !== undefined || window.end !== undefined;
    if (once && window.recurring !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'give either start and end or recurring, not both',
        path: ['recurring'],
      });
    } else if (!once && window.recurring === undefined) {
      ctx.addIssue({ code: 'custom', message: 'needs start and end (one-off) or recurring (cron and duration)' });
    } else if (once && (window.start === undefined || window.end === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'a one-off freeze window needs both start and end',
        path: [window.start === undefined ? 'end' : 'start'],
      });
    }
  });

export const CatalogueDocumentSchema = z.strictObject({
  apiVersion: z.literal(CATALOGUE_API_VERSION),
  kind: z.literal('Catalogue', { error: 'kind must be Catalogue for apiVersion sre-agent/v1' }),
  organisation: OrganisationSchema.optional(),
  teams: z.array(TeamSchema).default([]),
  services: z.array(ServiceSchema).default([]),
  importantBusinessServices: z.array(ImportantBusinessServiceSchema).default([]),
  thirdParties: z.array(ThirdPartySchema).default([]),
  freezeWindows: z.array(FreezeWindowSchema).default([]),
});

export type CatalogueDocument = z.output<typeof CatalogueDocumentSchema>;
