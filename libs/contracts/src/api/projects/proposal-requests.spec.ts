import { describe, expect, it } from '@jest/globals';
import { SYSTEM_ACTOR } from '../actor.js';
import { ProblemException } from '../problem.js';
import { validateCommand } from '../validation.js';
import { ListProposalsRequest, ProposalIdRequest, SubmitProposalCommand } from './proposal.dto.js';
import { FileReportCommand } from './reporting.dto.js';

const id = '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f71';

/** The fields and rules a payload is refused for. */
const refusal = (dto: new () => object, payload: unknown): string[] => {
  try {
    validateCommand(dto, payload);
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    return ((error as ProblemException).problem.errors ?? []).map((e) => `${e.field}:${e.rule}`);
  }
  throw new Error('accepted');
};

/** The services scope every read by the actor, so no request about a proposal goes without one. */
describe('projects RPC requests carry the actor', () => {
  it('refuses a read of a proposal without an actor, or with one that is not an actor', () => {
    expect(refusal(ProposalIdRequest, { id })).toEqual(['actor:isDefined']);
    expect(refusal(ProposalIdRequest, { actor: null, id })).toEqual(['actor:isDefined']);
    expect(refusal(ProposalIdRequest, { actor: { userId: 'me', role: 'mayor' }, id })).toEqual([
      'actor.userId:isUuid',
      'actor.role:isIn',
    ]);
    expect(validateCommand(ProposalIdRequest, { actor: SYSTEM_ACTOR, id })).toMatchObject({ id });
  });

  it('refuses a list without an actor and keeps the query defaults with one', () => {
    expect(refusal(ListProposalsRequest, { query: {} })).toEqual(['actor:isDefined']);
    const actor = { userId: id, role: 'municipality', municipalityId: id };
    expect(validateCommand(ListProposalsRequest, { actor, query: {} })).toMatchObject({
      actor,
      query: { sort: '-createdAt' },
    });
  });

  it('refuses commands without an actor or a body instead of failing later', () => {
    expect(refusal(SubmitProposalCommand, { id, data: {} })).toEqual(['actor:isDefined']);
    expect(refusal(SubmitProposalCommand, { actor: SYSTEM_ACTOR, id })).toEqual(['data:isDefined']);
    expect(refusal(FileReportCommand, { id, itemId: id, data: { summary: 'x' } })).toEqual([
      'actor:isDefined',
    ]);
  });
});
