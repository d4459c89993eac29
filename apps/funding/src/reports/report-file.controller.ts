import {
  Controller,
  ForbiddenException,
  Get,
  NotFoundException,
  Param,
  Query,
  StreamableFile,
} from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ReportFiles } from './report-files.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The internal route the gateway streams a report's file from (`GET /internal/reports/{id}/file?expires&signature`,
 * on the funding service's own port, which is not public). Only a signed, unexpired link opens it; the file is sent
 * as a stream with its length, never read into memory.
 */
@Controller('internal/reports')
export class ReportFileController {
  constructor(private readonly files: ReportFiles) {}

  @Get(':id/file')
  async file(
    @Param('id') id: string,
    @Query('expires') expires: string | undefined,
    @Query('signature') signature: string | undefined,
  ): Promise<StreamableFile> {
    if (!UUID.test(id)) throw new NotFoundException();
    if (!this.files.verify(id, expires, signature)) throw new ForbiddenException('invalid or expired link');
    const path = this.files.pathOf(id);
    const size = await stat(path).then(
      (info) => info.size,
      () => null,
    );
    if (size === null) throw new NotFoundException();
    return new StreamableFile(createReadStream(path), { type: 'text/csv; charset=utf-8', length: size });
  }
}
