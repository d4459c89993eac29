import { Type } from 'class-transformer';
import { IsDefined, IsUUID, ValidateNested } from 'class-validator';
import { ActorDto } from '../actor.js';

/** An RPC command on one proposal: the acting user, the proposal id and the validated body. */
export function proposalCommand<T extends object>(data: new () => T) {
  class ProposalCommand {
    @IsDefined() @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
    @IsUUID('4') id!: string;
    @IsDefined() @ValidateNested() @Type(() => data) data!: T;
  }
  return ProposalCommand;
}

/** An RPC command on one item (milestone, report) of a proposal. */
export function proposalItemCommand<T extends object>(data: new () => T) {
  class ProposalItemCommand extends proposalCommand(data) {
    @IsUUID('4') itemId!: string;
  }
  return ProposalItemCommand;
}
