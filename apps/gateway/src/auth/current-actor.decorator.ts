import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ROLES, SYSTEM_ACTOR, type ActorDto, type Role } from '@wandelwerk/contracts';
import type { FastifyRequest } from 'fastify';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The user a request acts as, passed to the services with every command.
 *
 * Interim, until authentication (issue 4) replaces it: `X-Actor-Id` and `X-Actor-Role` name the actor when both are
 * well-formed; otherwise the request acts as the system user. Nothing here is a security boundary yet.
 */
export function actorOf(request: FastifyRequest): ActorDto {
  const id = request.headers['x-actor-id'];
  const role = request.headers['x-actor-role'];
  if (
    typeof id === 'string' &&
    UUID.test(id) &&
    typeof role === 'string' &&
    (ROLES as readonly string[]).includes(role)
  ) {
    return { userId: id, role: role as Role, municipalityId: null };
  }
  return { ...SYSTEM_ACTOR };
}

export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): ActorDto =>
  actorOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
