import { problem, type ActorDto } from '@wandelwerk/contracts';
import type { DataSource } from 'typeorm';

export const municipalityNotFound = (municipalityId: string) =>
  problem(
    404,
    'municipality.not-found',
    { de: 'Diese Gemeinde gibt es nicht.', en: 'There is no such municipality.' },
    { municipalityId },
  );

/**
 * Who may manage a municipality's webhooks and preferences: administrators, and a municipality account its own
 * municipality; for anyone else it does not exist. Nor does a municipality this service has never heard of (its read
 * model of the registry, deactivated ones included), so nothing is kept for an id nobody has.
 */
export async function requireManagedMunicipality(
  dataSource: DataSource,
  actor: ActorDto,
  municipalityId: string,
): Promise<void> {
  const allowed =
    actor.role === 'admin' || (actor.role === 'municipality' && actor.municipalityId === municipalityId);
  if (!allowed) throw municipalityNotFound(municipalityId);
  const known = await dataSource.query<unknown[]>(
    `SELECT 1 FROM notifications.municipality_read_model WHERE id = $1`,
    [municipalityId],
  );
  if (known.length === 0) throw municipalityNotFound(municipalityId);
}
