import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ApproveAllocationCommand,
  CancelAllocationCommand,
  CommitAllocationCommand,
  DisburseCommand,
  FUNDING_RPC,
  FundingIdRequest,
  ListAllocationsRequest,
  RejectAllocationCommand,
  validateCommand,
  type AllocationDecisionDto,
  type AllocationDto,
  type DisbursementDto,
  type DisbursementResultDto,
  type Page,
} from '@wandelwerk/contracts';
import { AllocationsService } from './allocations.service.js';
import { AllocationQueries } from './list-allocations.query.js';

/** The gateway's requests about allocations; every payload is validated here again. */
@Controller()
export class AllocationsHandler {
  constructor(
    private readonly allocations: AllocationsService,
    private readonly queries: AllocationQueries,
  ) {}

  @MessagePattern(FUNDING_RPC.listAllocations)
  list(@Payload() payload: unknown): Promise<Page<AllocationDto>> {
    const { actor, query } = validateCommand(ListAllocationsRequest, payload);
    return this.queries.list(actor, query);
  }

  @MessagePattern(FUNDING_RPC.getAllocation)
  get(@Payload() payload: unknown): Promise<AllocationDto> {
    const { actor, id } = validateCommand(FundingIdRequest, payload);
    return this.allocations.get(actor, id);
  }

  @MessagePattern(FUNDING_RPC.decisions)
  decisions(@Payload() payload: unknown): Promise<AllocationDecisionDto[]> {
    const { actor, id } = validateCommand(FundingIdRequest, payload);
    return this.allocations.decisions(actor, id);
  }

  @MessagePattern(FUNDING_RPC.disbursements)
  disbursements(@Payload() payload: unknown): Promise<DisbursementDto[]> {
    const { actor, id } = validateCommand(FundingIdRequest, payload);
    return this.allocations.disbursements(actor, id);
  }

  @MessagePattern(FUNDING_RPC.approve)
  approve(@Payload() payload: unknown): Promise<AllocationDto> {
    const { actor, id, data } = validateCommand(ApproveAllocationCommand, payload);
    return this.allocations.approve(actor, id, data.comment ?? null);
  }

  @MessagePattern(FUNDING_RPC.reject)
  reject(@Payload() payload: unknown): Promise<AllocationDto> {
    const { actor, id, data } = validateCommand(RejectAllocationCommand, payload);
    return this.allocations.reject(actor, id, data.reason);
  }

  @MessagePattern(FUNDING_RPC.commit)
  commit(@Payload() payload: unknown): Promise<AllocationDto> {
    const { actor, id, data } = validateCommand(CommitAllocationCommand, payload);
    return this.allocations.commit(actor, id, data);
  }

  @MessagePattern(FUNDING_RPC.disburse)
  disburse(@Payload() payload: unknown): Promise<DisbursementResultDto> {
    const { actor, id, data } = validateCommand(DisburseCommand, payload);
    return this.allocations.disburse(actor, id, data);
  }

  @MessagePattern(FUNDING_RPC.cancel)
  cancel(@Payload() payload: unknown): Promise<AllocationDto> {
    const { actor, id, data } = validateCommand(CancelAllocationCommand, payload);
    return this.allocations.cancel(actor, id, data.reason);
  }
}
