import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { standardProblem, type ActorDto } from '@wandelwerk/contracts';
import type { FastifyRequest } from 'fastify';
import type { VerifiedToken } from './access-tokens.js';

/** What the access guard attaches to a request it let through. */
export interface AuthenticatedRequest extends FastifyRequest {
  actor?: ActorDto;
  /** The verified token, for logout. */
  accessToken?: VerifiedToken;
}

export function actorOf(request: FastifyRequest): ActorDto | undefined {
  return (request as AuthenticatedRequest).actor;
}

/**
 * The signed-in user a request acts as (from the verified access token), passed to the services with every command.
 * Only on routes that are not `@Public()`: the access guard has refused requests without a valid token by then.
 */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): ActorDto => {
  const actor = actorOf(context.switchToHttp().getRequest<FastifyRequest>());
  if (!actor) throw standardProblem('unauthorized');
  return actor;
});
