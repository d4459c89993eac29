import { Module } from '@nestjs/common';
import { ProgrammesHandler } from './programmes.handler.js';
import { ProgrammesService } from './programmes.service.js';

/** Funding programmes, published to the other services as events. */
@Module({
  controllers: [ProgrammesHandler],
  providers: [ProgrammesService],
  exports: [ProgrammesService],
})
export class ProgrammesModule {}
