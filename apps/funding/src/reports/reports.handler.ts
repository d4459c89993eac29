import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  FUNDING_REPORT_RPC,
  FundingReportIdRequest,
  ListFundingReportsRequest,
  RequestFundingReportCommand,
  validateCommand,
  type FundingReportDownloadDto,
  type FundingReportDto,
  type Page,
} from '@wandelwerk/contracts';
import { ReportsService } from './reports.service.js';

/** The gateway's requests about funding reports; every payload is validated here again. */
@Controller()
export class ReportsHandler {
  constructor(private readonly reports: ReportsService) {}

  @MessagePattern(FUNDING_REPORT_RPC.request)
  request(@Payload() payload: unknown): Promise<FundingReportDto> {
    const { actor, data } = validateCommand(RequestFundingReportCommand, payload);
    return this.reports.request(actor, data);
  }

  @MessagePattern(FUNDING_REPORT_RPC.get)
  get(@Payload() payload: unknown): Promise<FundingReportDto> {
    const { actor, id } = validateCommand(FundingReportIdRequest, payload);
    return this.reports.get(actor, id);
  }

  @MessagePattern(FUNDING_REPORT_RPC.list)
  list(@Payload() payload: unknown): Promise<Page<FundingReportDto>> {
    const { actor, query } = validateCommand(ListFundingReportsRequest, payload);
    return this.reports.list(actor, query);
  }

  @MessagePattern(FUNDING_REPORT_RPC.download)
  download(@Payload() payload: unknown): Promise<FundingReportDownloadDto> {
    const { actor, id } = validateCommand(FundingReportIdRequest, payload);
    return this.reports.download(actor, id);
  }
}
