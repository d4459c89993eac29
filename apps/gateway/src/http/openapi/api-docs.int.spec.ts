import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testSettings, uniqueName, type TestDatabase } from '@wandelwerk/testing';
import { createGatewayTestDatabase } from '../../testing/test-gateway.js';

/**
 * Swagger UI as production serves it: the built gateway as a Node process (ESM, Nest 12, Fastify with
 * @fastify/static). Jest's module loader cannot load @fastify/static (it `require`s an ESM-only package), so the
 * in-process tests see the document without the UI; this test sees what operators get. Needs a build (`tsc -b`).
 */
describe('API docs of the built gateway process', () => {
  const main = fileURLToPath(new URL('../../../dist/main.js', import.meta.url));
  let child: ChildProcess;
  let url: string;
  const output: string[] = [];
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createGatewayTestDatabase();
    if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -b tsconfig.json)`);
    const prefix = uniqueName('docs');
    child = spawn(process.execPath, [main], {
      env: {
        PATH: process.env['PATH'],
        DATABASE_URL: db.url,
        NATS_URL: testSettings().NATS_URL,
        REDIS_URL: testSettings().REDIS_URL,
        NATS_PREFIX: prefix,
        REDIS_KEY_PREFIX: prefix,
        PORT: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output.join('')}`)), 15_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output.push(chunk.toString());
        const up = /"msg":"gateway is up","url":"([^"]+)"/.exec(output.join(''));
        if (up?.[1]) {
          clearTimeout(timer);
          resolve(up[1]);
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.once('exit', (code) => reject(new Error(`gateway exited with ${code}:\n${output.join('')}`)));
    });
  }, 20_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await db?.drop();
  });

  it('serves Swagger UI with its assets at /api/docs', async () => {
    const page = await fetch(`${url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('swagger-ui-bundle.js');
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'swagger-ui.css']) {
      const response = await fetch(`${url}/api/docs/${asset}`);
      expect([asset, response.status]).toEqual([asset, 200]);
      await response.arrayBuffer();
    }
    const init = await fetch(`${url}/api/docs/swagger-ui-init.js`);
    expect(await init.text()).toMatch(/"openapi": ?"3\.1\.0"/);
    expect(output.join('')).not.toContain('Swagger UI is off');
  });

  it('serves the OpenAPI 3.1 document at /api/docs-json', async () => {
    const response = await fetch(`${url}/api/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; components: { schemas: object } };
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.schemas).toHaveProperty('ProblemDetails');
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
