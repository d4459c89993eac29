import { describe, expect, it } from '@jest/globals';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
import { EVENT_CATALOGUE } from '../catalogue.js';
import { buildAsyncApiDocument, renderAsyncApiYaml } from './asyncapi-document.js';
import { ASYNCAPI_DOCUMENT_PATH, REGENERATE_COMMAND } from './doc-files.js';

describe('docs/asyncapi.yaml', () => {
  const committed = readFileSync(ASYNCAPI_DOCUMENT_PATH, 'utf8');

  it(`is the document generated from the catalogue (else run: ${REGENERATE_COMMAND})`, () => {
    expect(committed).toBe(renderAsyncApiYaml());
  });

  it('parses as AsyncAPI 3.0.0 without errors, one channel per event type', async () => {
    const { document, diagnostics } = await new Parser().parse(committed);
    // The parser's Diagnostic and its exported DiagnosticSeverity come from different copies of @stoplight/types.
    const errors = diagnostics.filter((d) => Number(d.severity) === Number(DiagnosticSeverity.Error));
    expect(errors.map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const addresses = document!
      .channels()
      .all()
      .map((channel) => channel.address());
    expect([...addresses].sort()).toEqual(EVENT_CATALOGUE.map((d) => d.type).sort());
    expect(
      document!
        .servers()
        .all()
        .map((server) => [server.host(), server.protocol()]),
    ).toEqual([['127.0.0.1:4222', 'nats']]);
  });

  it('has the producer send and every consumer receive each event', () => {
    const operations = Object.values(
      buildAsyncApiDocument()['operations'] as Record<string, { action: string; summary: string }>,
    );
    for (const definition of EVENT_CATALOGUE) {
      const about = operations.filter((o) => o.summary.endsWith(` ${definition.type}.`));
      expect(about.filter((o) => o.action === 'send').map((o) => o.summary.split(' ')[0])).toEqual([
        definition.producer,
      ]);
      expect(about.filter((o) => o.action === 'receive').map((o) => o.summary.split(' ')[0])).toEqual([
        ...definition.consumers,
      ]);
    }
  });
});
