import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type LedgerService, MAX_ENTRIES_PER_PAGE, type StoredCheckpoint, toHex } from '../../ledger/index.js';
import { principalOf } from '../authenticate.js';

const SECURITY = [{ bearerAuth: [] }];
const MAX_UINT64 = (1n << 64n) - 1n;

/** A non-negative 64-bit integer given as decimal text, since JSON numbers lose precision past 2^53. */
const Decimal = z
  .string()
  // Zod runs later checks after a failed one unless told to abort, and BigInt throws on what the pattern refuses.
  .regex(/^(0|[1-9][0-9]{0,19})$/, { error: 'must be a decimal integer from 0', abort: true })
  .refine((text) => BigInt(text) <= MAX_UINT64, { error: 'must fit in 64 bits' })
  .transform((text) => BigInt(text));

function checkpointJson(stored: StoredCheckpoint) {
  return {
    origin: stored.checkpoint.origin,
    size: stored.checkpoint.size.toString(),
    root: toHex(stored.checkpoint.root),
    signedAt: stored.signedAt,
    note: stored.note,
  };
}

export function ledgerRoutes(ledger: LedgerService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/ledger/checkpoint',
      {
        schema: {
          tags: ['ledger'],
          summary: 'The latest signed checkpoint as a C2SP signed note (text/plain); ?format=json for its fields',
          security: SECURITY,
          querystring: z.strictObject({ format: z.enum(['note', 'json']).optional() }),
        },
      },
      async (request, reply) => {
        const latest = await ledger.latestCheckpoint(principalOf(request));
        if (request.query.format === 'json') return checkpointJson(latest);
        return reply.type('text/plain; charset=utf-8').send(latest.note);
      },
    );

    app.post(
      '/api/v1/ledger/checkpoint',
      {
        schema: {
          tags: ['ledger'],
          summary: 'Sign a checkpoint of the current tree now (admin)',
          security: SECURITY,
        },
      },
      async (request) => checkpointJson(await ledger.signCheckpoint(principalOf(request))),
    );

    app.get(
      '/api/v1/ledger/keys',
      {
        schema: {
          tags: ['ledger'],
          summary: 'The verifier keys of the checkpoint signers, in signed-note vkey form',
          security: SECURITY,
        },
      },
      async (request) => ({ keys: ledger.verifierKeys(principalOf(request)) }),
    );

    app.get(
      '/api/v1/ledger/entries',
      {
        schema: {
          tags: ['ledger'],
          summary: `Entries with index in [start, end), at most ${MAX_ENTRIES_PER_PAGE}; leaf is base64 of the hashed bytes`,
          security: SECURITY,
          querystring: z.strictObject({ start: Decimal, end: Decimal.optional() }),
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const head = await ledger.head(principal);
        const start = request.query.start;
        const wanted = request.query.end ?? start + BigInt(MAX_ENTRIES_PER_PAGE);
        const end = [wanted, head.size].reduce((a, b) => (a < b ? a : b));
        if (end < start) return { size: head.size.toString(), items: [] };
        return { size: head.size.toString(), items: await ledger.entries(principal, start, end) };
      },
    );

    app.get(
      '/api/v1/ledger/entries/:indexOrId',
      {
        schema: {
          tags: ['ledger'],
          summary: 'One entry by index or event id',
          security: SECURITY,
          params: z.strictObject({ indexOrId: z.string().min(1).max(64) }),
        },
      },
      async (request) => ledger.entry(principalOf(request), request.params.indexOrId),
    );

    app.get(
      '/api/v1/ledger/proof/inclusion',
      {
        schema: {
          tags: ['ledger'],
          summary: 'RFC 9162 inclusion proof (hex hashes) of leaf index in the tree of the given size',
          security: SECURITY,
          querystring: z.strictObject({ index: Decimal, size: Decimal }),
        },
      },
      async (request) => {
        const { index, size } = request.query;
        const proof = await ledger.inclusionProof(principalOf(request), index, size);
        return { index: index.toString(), size: size.toString(), proof: proof.map(toHex) };
      },
    );

    app.get(
      '/api/v1/ledger/proof/consistency',
      {
        schema: {
          tags: ['ledger'],
          summary: 'RFC 9162 consistency proof (hex hashes) from one tree size to a larger one',
          security: SECURITY,
          querystring: z.strictObject({ from: Decimal, to: Decimal }),
        },
      },
      async (request) => {
        const { from, to } = request.query;
        const proof = await ledger.consistencyProof(principalOf(request), from, to);
        return { from: from.toString(), to: to.toString(), proof: proof.map(toHex) };
      },
    );
  };
}
