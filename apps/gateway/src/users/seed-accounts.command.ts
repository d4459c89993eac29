import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MUNICIPALITIES_RPC, type MunicipalityDto, type Page, type Role } from '@wandelwerk/contracts';
import { RpcClient } from '@wandelwerk/messaging';
import type { ServiceCommand } from '@wandelwerk/platform';
import { readFile } from 'node:fs/promises';
import { UsersService } from './users.service.js';

interface DemoAccounts {
  password: string;
  accounts: { email: string; displayName: string; role: Role; municipalityAgs?: string }[];
}

/**
 * `cli.js seed-accounts <accounts.json>`: creates the demo accounts that do not exist yet (one per role; the
 * municipality account is bound by AGS, so the municipalities service must answer). Changes nothing the second time.
 */
export const seedAccountsCommand: ServiceCommand = {
  usage: 'seed-accounts <accounts.json>',
  async run(app: NestFastifyApplication, [file]: string[]): Promise<string> {
    if (!file) throw new Error('seed-accounts needs the path of a JSON file');
    const demo = JSON.parse(await readFile(file, 'utf8')) as DemoAccounts;
    const users = app.get(UsersService);
    const rpc = app.get(RpcClient);
    let created = 0;
    for (const account of demo.accounts) {
      if (await users.findForLogin(account.email)) continue;
      let municipalityId: string | undefined;
      if (account.municipalityAgs) {
        const page = await rpc.request<Page<MunicipalityDto>>(MUNICIPALITIES_RPC.list, {
          query: { ags: account.municipalityAgs, limit: 1, sort: 'name' },
        });
        municipalityId = page.items[0]?.id;
        if (!municipalityId) throw new Error(`no municipality with AGS ${account.municipalityAgs}`);
      }
      await users.create({
        email: account.email,
        displayName: account.displayName,
        role: account.role,
        password: demo.password,
        ...(municipalityId ? { municipalityId } : {}),
      });
      created += 1;
    }
    return `demo accounts: ${created} created, ${demo.accounts.length - created} already there`;
  },
};
