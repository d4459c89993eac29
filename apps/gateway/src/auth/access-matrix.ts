import { RequestMethod, type INestApplicationContext } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ROLES, type Role } from '@wandelwerk/contracts';
import { PUBLIC_METADATA, ROLES_METADATA } from './roles.decorator.js';

/** One route and who may call it: `public`, its roles, or `unmarked` (which the access guard refuses to everyone). */
export interface RouteAccess {
  method: string;
  path: string;
  access: 'public' | 'unmarked' | Role[];
}

const joinPath = (...parts: string[]) =>
  `/${parts
    .flatMap((part) => part.split('/'))
    .filter((part) => part !== '')
    .join('/')}`;

/** Every HTTP route of the app with its access rule, read from the same metadata the access guard reads. */
export function accessMatrix(app: INestApplicationContext): RouteAccess[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const reflector = app.get(Reflector);
  const routes: RouteAccess[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as object | undefined;
    const metatype = wrapper.metatype;
    if (!instance || !metatype) continue;
    const base = Reflect.getMetadata(PATH_METADATA, metatype) as string | undefined;
    const prototype = Object.getPrototypeOf(instance) as object;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = (prototype as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (path === undefined || method === undefined) continue;
      const full = joinPath(base ?? '', path);
      if (!full.startsWith('/api/')) continue;
      const targets = [handler, metatype];
      const roles = reflector.getAllAndOverride<Role[] | undefined>(ROLES_METADATA, targets);
      const isPublic = reflector.getAllAndOverride<boolean | undefined>(PUBLIC_METADATA, targets);
      routes.push({
        method: RequestMethod[method],
        path: full,
        access: isPublic ? 'public' : roles ? ROLES.filter((role) => roles.includes(role)) : 'unmarked',
      });
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** The matrix as the Markdown table of docs/security.md. */
export function accessMatrixTable(routes: readonly RouteAccess[]): string {
  const mark = (route: RouteAccess, role: Role) =>
    route.access === 'public'
      ? 'public'
      : route.access !== 'unmarked' && route.access.includes(role)
        ? '✓'
        : '–';
  const header = `| route | ${ROLES.join(' | ')} |\n|---|${ROLES.map(() => ':-:').join('|')}|`;
  const rows = routes.map(
    (route) =>
      `| \`${route.method} ${route.path}\` | ${ROLES.map((role) => mark(route, role)).join(' | ')} |`,
  );
  return [header, ...rows].join('\n');
}
