import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigInvalidError } from '../errors/index.js';
import { type Config, ConfigSchema } from './config-schema.js';

/** Environment variables that override the file, each with the config path it sets. */
export const ENVIRONMENT_OVERRIDES = {
  SRE_AGENT_HOST: ['server', 'host'],
  SRE_AGENT_PORT: ['server', 'port'],
  SRE_AGENT_BODY_LIMIT: ['server', 'bodyLimit'],
  SRE_AGENT_DATA_DIR: ['storage', 'dataDir'],
  DATABASE_URL: ['storage', 'databaseUrl'],
  SRE_AGENT_CATALOGUE: ['catalogue', 'path'],
  SRE_AGENT_LOG_LEVEL: ['logging', 'level'],
  SRE_AGENT_LEDGER_ORIGIN: ['ledger', 'origin'],
  SRE_AGENT_LEDGER_KEY_FILE: ['ledger', 'keyFile'],
  SRE_AGENT_LEDGER_KEY: ['ledger', 'key'],
  SRE_AGENT_SLO_TELEMETRY: ['slo', 'telemetry'],
  SRE_AGENT_PROMETHEUS_URL: ['slo', 'prometheusUrl'],
  SRE_AGENT_SLO_EVALUATION_INTERVAL: ['slo', 'evaluationInterval'],
  SRE_AGENT_ALERT_SERVICE_LABEL: ['alerts', 'serviceLabel'],
  SRE_AGENT_CORRELATION_WINDOW: ['alerts', 'correlationWindow'],
  SRE_AGENT_TIME_ZONE: ['display', 'timeZone'],
  SRE_AGENT_LLM_URL: ['llm', 'url'],
  SRE_AGENT_LLM_MODEL: ['llm', 'model'],
  SRE_AGENT_LLM_API_KEY: ['llm', 'apiKey'],
} as const satisfies Readonly<Record<string, readonly [string, string]>>;

export interface LoadConfigOptions {
  /** A YAML configuration file; optional. */
  readonly file?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Values from command-line flags, which win over the environment and the file. */
  readonly overrides?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Reads the file, applies environment and flag overrides, validates once, and freezes the result. */
export async function loadConfig(options: LoadConfigOptions): Promise<Config> {
  let fromFile: unknown = {};
  if (options.file !== undefined) {
    let text: string;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (error: unknown) {
      throw new ConfigInvalidError(`cannot read the configuration file ${options.file}`, { cause: error });
    }
    try {
      fromFile = parse(text) ?? {};
    } catch (error: unknown) {
      const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : '';
      throw new ConfigInvalidError(`${options.file} is not valid YAML: ${reason}`, { cause: error });
    }
  }
  const merged = structuredClone(isRecord(fromFile) ? fromFile : { '(file)': fromFile });
  for (const [variable, [sectionName, key]] of Object.entries(ENVIRONMENT_OVERRIDES)) {
    const value = options.env[variable];
    if (value !== undefined && value !== '') setIn(merged, sectionName, key, value);
  }
  for (const [sectionName, values] of Object.entries(options.overrides ?? {})) {
    for (const [key, value] of Object.entries(values)) {
      if (value !== undefined) setIn(merged, sectionName, key, value);
    }
  }
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    const where =
      options.file === undefined ? 'the configuration' : `the configuration (${options.file} and environment)`;
    throw new ConfigInvalidError(`${where} is invalid:\n${z.prettifyError(result.error)}`, {
      details: result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
    });
  }
  return deepFreeze(result.data);
}

function setIn(target: Record<string, unknown>, sectionName: string, key: string, value: unknown): void {
  const existing = target[sectionName];
  const section = isRecord(existing) ? existing : {};
  section[key] = value;
  target[sectionName] = section;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
