import type { Command } from 'commander';
import { systemPrincipal } from '../../auth/index.js';
import { parseDuration, SystemClock } from '../../clock/index.js';
import { CatalogueInvalidError, InputError, UnavailableError } from '../../errors/index.js';
import { buildApp, builtDashboardDirectory, dashboardAvailable } from '../../http/index.js';
import { Checkpointer } from '../../ledger/index.js';
import { createLogger } from '../../observability/index.js';
import { appServicesOf, createRuntime } from '../../runtime/create-runtime.js';
import { DemoTraffic } from '../../slo/demo-traffic.js';
import { SliScraper } from '../../telemetry/scraper.js';
import { VERSION } from '../../version.js';
import type { CliIo } from '../cli-io.js';
import { formatDetail } from '../format-detail.js';
import { configFrom, type StorageFlags, withStorageOptions } from './config-options.js';

interface ServeFlags extends StorageFlags {
  readonly catalogue?: string;
  readonly host?: string;
  readonly port?: string;
  readonly bootstrapAdminToken?: boolean;
  readonly demoTraffic?: boolean;
}

export function addServeCommand(program: Command, io: CliIo): void {
  withStorageOptions(
    program
      .command('serve')
      .description('run the API server')
      .option('--catalogue <path>', 'catalogue file or directory (default ./catalogue)')
      .option('--host <host>', 'address to listen on (default 127.0.0.1)')
      .option('--port <port>', 'port to listen on (default 8080; 0 picks a free one)')
      .option(
        '--demo-traffic',
        'DEMO ONLY: push synthetic SLI points for every SLO (three days of history, then live, with outages)',
      )
      .option(
        '--bootstrap-admin-token',
        'when the database has no token at all, create an admin token and print it once on the terminal',
      ),
  ).action(async (flags: ServeFlags) => {
    const config = await configFrom(io, flags, {
      server: { host: flags.host, port: flags.port },
      catalogue: { path: flags.catalogue },
    });
    const logger = createLogger(config.logging.level);
    const runtime = await createRuntime(config, { clock: SystemClock.create(), logger });
    const system = systemPrincipal('startup');
    try {
      await runtime.catalogue.reload(system);
    } catch (error: unknown) {
      await runtime.close();
      if (error instanceof CatalogueInvalidError) {
        for (const detail of error.details) io.stderr(`${formatDetail(detail)}\n`);
      }
      throw error;
    }

    const bootstrapToken = flags.bootstrapAdminToken === true ? await runtime.tokens.bootstrapAdmin(system) : undefined;
    if (!(await runtime.tokens.hasAnyToken())) {
      logger.warn('no API tokens exist: create one with "sre-agent token create --name NAME --role admin"');
    }

    const checkpointInterval = parseDuration(config.ledger.checkpointInterval);
    const checkpointer = Checkpointer.start({
      ledger: runtime.ledger,
      intervalMs: checkpointInterval.ok ? checkpointInterval.milliseconds : 1000,
      onError: (error) => {
        runtime.metrics.ledgerCheckpointFailures.inc();
        logger.error({ err: error }, 'signing a ledger checkpoint failed; retrying on the next tick');
      },
      onSigned: (signed) => {
        runtime.metrics.ledgerCheckpointSize.set(Number(signed.checkpoint.size));
        runtime.metrics.ledgerCheckpointTimestamp.set(Date.parse(signed.signedAt) / 1000);
      },
    });

    const evaluation = parseDuration(config.slo.evaluationInterval);
    runtime.sloEvaluator.start(evaluation.ok ? evaluation.milliseconds : 60_000);
    // Receipts start processing at once; the timer picks up what an earlier process left in the inbox.
    runtime.alertProcessor.start(5_000);
    runtime.notifications.start(2_000);
    runtime.clockReminders.start(60_000);
    runtime.changePolicy.start(60_000);
    let demo: DemoTraffic | undefined;
    if (flags.demoTraffic === true) {
      if (runtime.sliStore === undefined) {
        throw new InputError('--demo-traffic needs the embedded SLI store (slo.telemetry: embedded)');
      }
      logger.warn('DEMO TRAFFIC is on: the SLI points of every SLO are synthetic, not measurements');
      demo = DemoTraffic.create({
        sink: runtime.sliStore,
        clock: runtime.clock,
        slos: () => (runtime.catalogue.status().loaded ? runtime.catalogue.index().catalogue.slos : []),
        tickMs: 15_000,
        onError: (error) => logger.error({ err: error }, 'demo traffic failed to push points'),
      });
      await demo.start();
    }
    const scraper =
      runtime.sliStore === undefined
        ? undefined
        : SliScraper.create({
            store: runtime.sliStore,
            clock: runtime.clock,
            timeoutMs: 10_000,
            onError: (failure) =>
              logger.warn({ slo: failure.sloId, target: failure.target, err: failure.cause }, failure.message),
          });
    scraper?.start(() => (runtime.catalogue.status().loaded ? runtime.catalogue.index().catalogue.slos : []));

    const dashboardDirectory = builtDashboardDirectory();
    const dashboard = dashboardAvailable(dashboardDirectory);
    if (!dashboard) logger.warn('the dashboard is not built, so / serves nothing: run "npm run build"');
    const app = await buildApp({
      version: VERSION,
      dashboardDirectory: dashboard ? dashboardDirectory : undefined,
      bodyLimit: config.server.bodyLimit,
      logger,
      ...appServicesOf(runtime),
      mcp: { ...config.mcp },
    });
    // Listen for signals before announcing the address, so a SIGTERM sent the moment we say we are up is handled.
    const stopped = new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down: finishing requests in flight');
        const force = setTimeout(() => {
          logger.error('requests still in flight after the grace period; closing anyway');
          resolve();
        }, config.server.shutdownGrace * 1000);
        force.unref();
        app
          .close()
          .catch((error: unknown) => logger.error({ err: error }, 'error while closing the HTTP server'))
          .finally(() => {
            clearTimeout(force);
            resolve();
          });
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    let address: string;
    try {
      address = await app.listen({ host: config.server.host, port: config.server.port });
    } catch (error: unknown) {
      await demo?.stop();
      await scraper?.stop();
      await runtime.sloEvaluator.stop();
      await runtime.alertProcessor.stop();
      await checkpointer.stop();
      await runtime.close();
      const code = error instanceof Error && 'code' in error ? String(error.code) : undefined;
      const where = `${config.server.host}:${config.server.port}`;
      throw new UnavailableError(
        code === 'EADDRINUSE'
          ? `cannot listen on ${where}: something else is listening there; stop it or choose another --port`
          : `cannot listen on ${where}${code === undefined ? '' : ` (${code})`}`,
        { cause: error },
      );
    }
    const url = address.replace('[::1]', 'localhost');
    io.stderr(
      `sre-agent ${VERSION} is serving ${url} (${runtime.store.dialect}, catalogue ${config.catalogue.path})\n` +
        (bootstrapToken === undefined
          ? ''
          : `first start: an admin token was created; it is shown only now:\n\n  ${bootstrapToken}\n\n` +
            `try: curl -H "Authorization: Bearer ${bootstrapToken}" ${url}/api/v1/services\n`) +
        (dashboard ? `dashboard: ${url}/ (sign in with an API token)\n` : ''),
    );
    await stopped;
    await demo?.stop();
    await scraper?.stop();
    await runtime.sloEvaluator.stop();
    await runtime.alertProcessor.stop();
    await checkpointer.stop();
    await runtime.close();
    logger.info('stopped');
  });
}
