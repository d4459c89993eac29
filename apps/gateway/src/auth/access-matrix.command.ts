import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ServiceCommand } from '@wandelwerk/platform';
import { accessMatrix, accessMatrixTable } from './access-matrix.js';

/** `cli.js access-matrix`: prints the table of routes and roles for docs/security.md. */
export const accessMatrixCommand: ServiceCommand = {
  usage: 'access-matrix',
  run(app: NestFastifyApplication): Promise<string> {
    return Promise.resolve(`access matrix:\n\n${accessMatrixTable(accessMatrix(app))}\n`);
  },
};
