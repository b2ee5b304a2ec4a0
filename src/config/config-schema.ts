import { IANAZone } from 'luxon';
import { z } from 'zod';

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
