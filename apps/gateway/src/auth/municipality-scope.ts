import { standardProblem, type ActorDto } from '@wandelwerk/contracts';

/**
 * A municipality account acts only for its own municipality: asking about another one's resources answers 404, as
 * if they did not exist (a 403 would confirm that they do). Other roles pass; their rules are the route's roles.
 */
export function requireOwnMunicipality(actor: ActorDto, municipalityId: string): void {
  if (actor.role === 'municipality' && actor.municipalityId !== municipalityId)
    throw standardProblem('not-found');
}
