import {
  applyDecorators,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiConsumes } from '@nestjs/swagger';
import { standardProblem } from '@wandelwerk/contracts';

export const ACCEPTS_CSV = 'wandelwerk:accepts-csv';
// Set on a request whose body was parsed from text/csv.
const CSV_BODY = Symbol('wandelwerk:csv-body');

/**
 * Parses a `text/csv` body (UTF-8; a byte order mark is dropped) into `{ csv: "<the text>" }`, so that a route's DTO
 * (`csv: string`) validates it like any JSON body. Only routes with `@AcceptsCsv()` take it (see CsvBodyGuard).
 */
export function parseCsvBody(request: object, raw: Buffer): { csv: string } {
  Object.defineProperty(request, CSV_BODY, { value: true });
  const text = raw.toString('utf8');
  return { csv: text.startsWith('\uFEFF') ? text.slice(1) : text };
}

/**
 * A route that also takes its body as `text/csv` (e.g. an import): the body arrives as `{ csv }`. Every other route
 * answers a CSV body with 415, as any body that is not JSON.
 */
export function AcceptsCsv(): MethodDecorator {
  return applyDecorators(SetMetadata(ACCEPTS_CSV, true), ApiConsumes('application/json', 'text/csv'));
}

/** Refuses a `text/csv` body (415) on routes without `@AcceptsCsv()`. */
@Injectable()
export class CsvBodyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<object>();
    if ((request as Record<symbol, unknown>)[CSV_BODY] !== true) return true;
    if (this.reflector.get<boolean | undefined>(ACCEPTS_CSV, context.getHandler())) return true;
    throw standardProblem('unsupported-media-type');
  }
}
