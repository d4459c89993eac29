import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Page } from '@wandelwerk/contracts';
import { Roles } from '../auth/roles.decorator.js';
import { ApiPageResponse } from '../http/index.js';
import { AuditEntryDto, ListAuditEntriesQueryDto } from './audit-entry.dto.js';
import { AuditTrail } from './audit-trail.js';

@ApiTags('audit')
@Controller('api/v1/audit')
@Roles('admin')
export class AuditController {
  constructor(private readonly audit: AuditTrail) {}

  @Get()
  @ApiOperation({
    summary: 'Prüfprotokoll / the audit record of state-changing requests, newest first',
  })
  @ApiPageResponse(AuditEntryDto)
  list(@Query() query: ListAuditEntriesQueryDto): Promise<Page<AuditEntryDto>> {
    return this.audit.list(query);
  }
}
