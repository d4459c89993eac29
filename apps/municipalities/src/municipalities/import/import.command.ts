import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SYSTEM_ACTOR } from '@wandelwerk/contracts';
import type { ServiceCommand } from '@wandelwerk/platform';
import { readFile } from 'node:fs/promises';
import { ImportMunicipalitiesUseCase } from './import-municipalities.use-case.js';

/** `cli.js import <file.csv>`: the same upsert as `POST /api/v1/municipalities/import`, as the system user. */
export const importCommand: ServiceCommand = {
  usage: 'import <file.csv>',
  async run(app: NestFastifyApplication, [file]: string[]): Promise<string> {
    if (!file) throw new Error('import needs the path of a CSV file');
    const report = await app
      .get(ImportMunicipalitiesUseCase)
      .execute(SYSTEM_ACTOR, await readFile(file, 'utf8'));
    const rejected = report.rejected
      .map((r) => `\n  line ${r.line}${r.ags ? ` (${r.ags})` : ''}: ${r.reasonEn}`)
      .join('');
    return (
      `imported ${file} (${report.layout}): ${report.rows} rows, ${report.created} created, ${report.updated} updated, ` +
      `${report.unchanged} unchanged, ${report.rejected.length} rejected${rejected}`
    );
  },
};
