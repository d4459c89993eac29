import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Module, Post } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { startPrivateRedisServer, waitFor, type PrivateServer } from '@wandelwerk/testing';
import { IsString } from 'class-validator';
import { Idempotent } from './idempotent.decorator.js';
import { Public } from '../../auth/roles.decorator.js';
import { startTestGatewayApp, type TestGatewayApp } from '../../testing/test-gateway.js';

class CreateNoteDto {
  @ApiProperty()
  @IsString()
  text!: string;
}

let created = 0;

@Public()
@Controller('api/v1/notes')
class NotesController {
  @Post()
  @Idempotent()
  create(@Body() dto: CreateNoteDto): { id: string; text: string } {
    created++;
    return { id: randomUUID(), text: dto.text };
  }
}

@Module({ controllers: [NotesController] })
class NotesModule {}

/** The gateway on a Redis of the test's own, which the test stops and starts again. */
describe('Idempotency-Key while Redis is away', () => {
  let redisServer: PrivateServer;
  let gateway: TestGatewayApp;
  let url: string;

  beforeAll(async () => {
    redisServer = await startPrivateRedisServer();
    gateway = await startTestGatewayApp({ REDIS_URL: redisServer.url }, { modules: [NotesModule] });
    url = gateway.url;
  }, 30_000);

  afterAll(async () => {
    await redisServer?.start();
    await gateway?.stop();
    await redisServer?.dispose();
  });

  const post = (key?: string) =>
    fetch(`${url}/api/v1/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify({ text: 'Werkstatt-Votum' }),
    });

  it('refuses an idempotent request with 503 at once instead of running it unprotected', async () => {
    const key = randomUUID();
    expect((await post(key)).status).toBe(201);
    await redisServer.stop();
    const before = created;
    const started = Date.now();
    const refused = await post(randomUUID());
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await refused.json()).toMatchObject({ code: 'service-unavailable' });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(created).toBe(before);
    // Without a key nothing needs Redis.
    expect((await post()).status).toBe(201);
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { redis: { status: 'down' } } });
  });

  it('works again once Redis is back (records of a stopped private Redis are gone with it)', async () => {
    await redisServer.start();
    await waitFor(async () => (await fetch(`${url}/health/ready`)).status === 200, { what: 'Redis back' });
    const key = randomUUID();
    const first = await post(key);
    expect(first.status).toBe(201);
    const again = await post(key);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
  });
});
