import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import type { Role } from '@wandelwerk/contracts';
import { ApiProblemResponses } from '../http/openapi/api-responses.decorator.js';

export const ROLES_METADATA = 'wandelwerk:roles';
export const PUBLIC_METADATA = 'wandelwerk:public';

/**
 * Who may call a route. Every route names its roles (or is `@Public()`); the access guard refuses the rest: 401
 * without a valid token, 403 for another role. The OpenAPI document shows the roles as `x-roles`.
 */
export const Roles = (...roles: Role[]) =>
  applyDecorators(
    SetMetadata(ROLES_METADATA, roles),
    ApiBearerAuth('bearer'),
    ApiExtension('x-roles', roles),
    ApiProblemResponses(401, 403),
  );

/** A route anyone may call without a token (sign-in, token refresh, the platform status). */
export const Public = () =>
  applyDecorators(SetMetadata(PUBLIC_METADATA, true), ApiExtension('x-public', true));
