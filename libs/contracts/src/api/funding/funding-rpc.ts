import { Type } from 'class-transformer';
import { IsUUID, ValidateNested } from 'class-validator';
import { ActorDto } from '../actor.js';
import {
  ApproveAllocationDto,
  CancelAllocationDto,
  CommitAllocationDto,
  DisburseDto,
  ListAllocationsQueryDto,
  RejectAllocationDto,
} from './allocation.dto.js';
import { AmendBudgetDto } from './budget.dto.js';
import { CreateProgrammeDto, ListProgrammesQueryDto, UpdateProgrammeDto } from './programme.dto.js';

/** An RPC command on one funding aggregate (programme or allocation): the acting user, its id and the body. */
export function fundingCommand<T extends object>(data: new () => T) {
  class FundingCommand {
    @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
    @IsUUID('4') id!: string;
    @ValidateNested() @Type(() => data) data!: T;
  }
  return FundingCommand;
}

/** A read of one aggregate; the actor decides what may be seen. */
export class FundingIdRequest {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsUUID('4') id!: string;
}

export class CreateProgrammeCommand {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @ValidateNested() @Type(() => CreateProgrammeDto) data!: CreateProgrammeDto;
}

export class ListProgrammesRequest {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @ValidateNested() @Type(() => ListProgrammesQueryDto) query!: ListProgrammesQueryDto;
}

export class ListAllocationsRequest {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @ValidateNested() @Type(() => ListAllocationsQueryDto) query!: ListAllocationsQueryDto;
}

export const UpdateProgrammeCommand = fundingCommand(UpdateProgrammeDto);
export const AmendBudgetCommand = fundingCommand(AmendBudgetDto);
export const ApproveAllocationCommand = fundingCommand(ApproveAllocationDto);
export const RejectAllocationCommand = fundingCommand(RejectAllocationDto);
export const CancelAllocationCommand = fundingCommand(CancelAllocationDto);
export const CommitAllocationCommand = fundingCommand(CommitAllocationDto);
export const DisburseCommand = fundingCommand(DisburseDto);

/** The request/reply patterns of the funding service. */
export const FUNDING_RPC = {
  createProgramme: 'funding.programme.create',
  updateProgramme: 'funding.programme.update',
  getProgramme: 'funding.programme.get',
  listProgrammes: 'funding.programme.list',
  budget: 'funding.budget.get',
  amendBudget: 'funding.budget.amend',
  budgetAmendments: 'funding.budget.amendments',
  listAllocations: 'funding.allocation.list',
  getAllocation: 'funding.allocation.get',
  approve: 'funding.allocation.approve',
  reject: 'funding.allocation.reject',
  commit: 'funding.allocation.commit',
  cancel: 'funding.allocation.cancel',
  disburse: 'funding.allocation.disburse',
  disbursements: 'funding.allocation.disbursements',
  decisions: 'funding.allocation.decisions',
} as const;
