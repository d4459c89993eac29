import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { fieldViolation, ruleMessage, validationProblem } from '@wandelwerk/contracts';
import type { FastifyRequest } from 'fastify';

interface RouteArgument {
  data?: unknown;
}

/**
 * Unknown query parameters are refused on every API route, also on routes without a query DTO: a route that takes
 * `@Query() query: SomeDto` leaves the check to the validation pipe (the DTO declares its parameters); a route with
 * single `@Query('name')` parameters accepts those names; any other route accepts none.
 */
@Injectable()
export class QueryParametersGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // The route that matched, not the raw URL (`/%61pi/...` reaches the same handler as `/api/...`).
    if (!(request.routeOptions.url ?? request.url).startsWith('/api/')) return true;
    const names = Object.keys(request.query ?? {});
    if (names.length === 0) return true;
    const args =
      (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) as
        Record<string, RouteArgument> | undefined) ?? {};
    const queryArgs = Object.entries(args)
      .filter(([key]) => Number(key.split(':')[0]) === (RouteParamtypes.QUERY as number))
      .map(([, argument]) => argument);
    if (queryArgs.some((argument) => argument.data === undefined)) return true;
    const allowed = new Set(queryArgs.map((argument) => argument.data));
    const unknown = names.filter((name) => !allowed.has(name));
    if (unknown.length > 0) {
      throw validationProblem(
        unknown.map((name) => fieldViolation(name, 'unknownField', ruleMessage('unknownField'))),
      );
    }
    return true;
  }
}
