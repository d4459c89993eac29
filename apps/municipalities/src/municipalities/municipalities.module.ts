import { Module } from '@nestjs/common';
import { ImportMunicipalitiesUseCase } from './import/import-municipalities.use-case.js';
import { MunicipalityQueries } from './list-municipalities.query.js';
import { MunicipalitiesHandler } from './municipalities.handler.js';
import { MunicipalityRegistryService } from './municipality-registry.service.js';

@Module({
  controllers: [MunicipalitiesHandler],
  providers: [MunicipalityRegistryService, MunicipalityQueries, ImportMunicipalitiesUseCase],
})
export class MunicipalitiesModule {}
